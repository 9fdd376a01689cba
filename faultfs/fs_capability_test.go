//go:build linux || darwin

package faultfs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"
	"time"
)

// capabilityCase is one optional capability, called through its helper on
// an FS, with what the FS should hold afterwards.
var capabilityCases = []struct {
	name  string
	kind  OpKind // as the Injector traces it
	call  func(FS) error
	check func(t *testing.T, m *Mem) // after a successful call
	bare  syscall.Errno              // what the helper gives on bareFS (0: it falls back and succeeds)
}{
	{
		name: "RenameNoReplace", kind: OpRename,
		call: func(fsys FS) error { return RenameNoReplace(fsys, "a", "new") },
		check: func(t *testing.T, m *Mem) {
			if _, err := m.Lstat("new"); err != nil {
				t.Errorf("after the rename: %v", err)
			}
			log := m.Log()
			if o := log[len(log)-1]; o.Kind != OpRename || o.Flag != RenameNoReplaceFlag {
				t.Errorf("Mem logged %v, want a rename with RENAME_NOREPLACE", o)
			}
		},
		bare: syscall.EINVAL,
	},
	{
		name: "RenameNoReplace onto an existing name", kind: OpRename,
		call: func(fsys FS) error {
			err := RenameNoReplace(fsys, "a", "b")
			if errors.Is(err, syscall.EEXIST) {
				return nil
			}
			return errors.Join(errors.New("want EEXIST"), err)
		},
		check: func(t *testing.T, m *Mem) {
			if data, err := ReadFile(m, "b"); err != nil || string(data) != "bbb" {
				t.Errorf("b holds %q, %v after a refused rename", data, err)
			}
		},
		bare: syscall.EINVAL,
	},
	{
		name: "Lchown", kind: OpLchown,
		call: func(fsys FS) error { return Lchown(fsys, "l", 7, 8) },
		check: func(t *testing.T, m *Mem) {
			if u, g := owner(t, m, "l"); u != 7 || g != 8 {
				t.Errorf("link owner %d:%d, want 7:8", u, g)
			}
			if u, _ := owner(t, m, "a"); u == 7 {
				t.Errorf("Lchown changed the link's target")
			}
		},
		bare: syscall.ENOTSUP,
	},
	{
		name: "Lchown of a file", kind: OpLchown,
		call: func(fsys FS) error { return Lchown(fsys, "a", 7, 8) },
		check: func(t *testing.T, m *Mem) {
			if u, g := owner(t, m, "a"); u != 7 || g != 8 {
				t.Errorf("file owner %d:%d, want 7:8", u, g)
			}
		},
	},
	{
		name: "Chtimes", kind: OpChtimes,
		call: func(fsys FS) error { return Chtimes(fsys, "l", time.Time{}, when) },
		check: func(t *testing.T, m *Mem) {
			if fi, err := m.Stat("a"); err != nil || !fi.ModTime().Equal(when) {
				t.Errorf("target's mtime is not the one set through the link: %v", err)
			}
		},
		bare: syscall.ENOTSUP,
	},
	{
		name: "Lchtimes", kind: OpLchtimes,
		call: func(fsys FS) error { return Lchtimes(fsys, "l", time.Time{}, when) },
		check: func(t *testing.T, m *Mem) {
			if fi, err := m.Lstat("l"); err != nil || !fi.ModTime().Equal(when) {
				t.Errorf("link's mtime is not the one set: %v", err)
			}
			if fi, _ := m.Stat("a"); fi.ModTime().Equal(when) {
				t.Errorf("Lchtimes changed the link's target")
			}
		},
		bare: syscall.ENOTSUP,
	},
}

var when = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

func capabilityMem(t *testing.T) *Mem {
	t.Helper()
	m := NewMem(WithOwner(1, 1))
	for name, data := range map[string]string{"a": "aaa", "b": "bbb"} {
		if err := WriteFile(m, name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Symlink("a", "l"); err != nil {
		t.Fatal(err)
	}
	m.MakeDurable()
	return m
}

func owner(t *testing.T, m *Mem, name string) (uint32, uint32) {
	t.Helper()
	fi, err := m.Lstat(name)
	if err != nil {
		t.Fatal(err)
	}
	s := fi.Sys().(*syscall.Stat_t)
	return s.Uid, s.Gid
}

// TestCapabilitiesThroughInjector: an Injector over a Mem has each of the
// Mem's optional capabilities, does what the Mem does, and traces the call
// as one op of its own kind (not a check then a plain rename, not ENOTSUP).
func TestCapabilitiesThroughInjector(t *testing.T) {
	for _, tc := range capabilityCases {
		t.Run(tc.name, func(t *testing.T) {
			m := capabilityMem(t)
			inj := NewInjector(m)
			if err := tc.call(inj); err != nil {
				t.Fatalf("through the Injector: %v", err)
			}
			tc.check(t, m)
			if tr := inj.Trace(); len(tr) != 1 || tr[0].Kind != tc.kind {
				t.Errorf("trace %v, want one %s", tr, tc.kind)
			}
		})
	}
}

// TestCapabilitiesFaults: a fault at a capability's op fires there, and the
// call does not reach the wrapped FS.
func TestCapabilitiesFaults(t *testing.T) {
	for _, tc := range capabilityCases {
		t.Run(tc.name, func(t *testing.T) {
			m := capabilityMem(t)
			inj := NewInjector(m, Fault{When: OnNth(1, Kinds(tc.kind)), Do: Errno(syscall.EIO)})
			if err := tc.call(inj); !errors.Is(err, syscall.EIO) {
				t.Errorf("with EIO injected: %v", err)
			}
			if log := m.Log(); len(log) != 0 {
				t.Errorf("the failed call reached the Mem: %v", log)
			}
		})
	}
}

// TestCapabilitiesFallBack: on an FS without the capability, the helper
// does what can stand in for it, or fails as Linux does without it.
func TestCapabilitiesFallBack(t *testing.T) {
	for _, tc := range capabilityCases {
		t.Run(tc.name, func(t *testing.T) {
			m := capabilityMem(t)
			err := tc.call(bareFS{m})
			if tc.bare == 0 {
				if err != nil {
					t.Fatalf("fallback: %v", err)
				}
				tc.check(t, m)
				return
			}
			if !errors.Is(err, tc.bare) {
				t.Errorf("without the capability: %v, want %s", err, ErrnoName(tc.bare))
			}
			var pe *fs.PathError
			var le *os.LinkError
			if !errors.As(err, &pe) && !errors.As(err, &le) {
				t.Errorf("error %T is neither *fs.PathError nor *os.LinkError", err)
			}
		})
	}
}
