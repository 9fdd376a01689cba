//go:build linux

package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
)

// TestCheckDirReportsErrors: a writer that drops its fsync's error fails
// ReportsErrors, the report naming the fault Run swallowed; the errors
// that reach Run are the errnos injected, through the kernel.
func TestCheckDirReportsErrors(t *testing.T) {
	requireDirCheck(t)
	ft := &failTB{TB: t}
	rep := CheckDir(ft, DirSpec{
		Setup: oldConfig,
		Run: func(dir string) error {
			return replaceIgnoringSyncErr(filepath.Join(dir, "config.json"), []byte(newConfig))
		},
		Invariants: []Invariant{ReportsErrors()},
		Errnos:     []syscall.Errno{syscall.EIO},
	})
	t.Logf("CheckDir reported:\n%s", ft.msg)
	if rep == nil || len(rep.Violations) != 1 {
		t.Fatalf("want one violation of ReportsErrors, got %+v", rep)
	}
	v := rep.Violations[0]
	if v.Kind != AfterSuccess || !strings.Contains(v.Fault, "fsync .config.json.tmp-") || !strings.HasSuffix(v.Fault, "= EIO") {
		t.Errorf("violation after %s of fault %q; want the swallowed EIO of the temp file's fsync, after success", v.Kind, v.Fault)
	}
}

// TestCheckDirRefuses: a spec that cannot test anything is an error
// naming what is wrong, never a pass, and the mount is gone after it.
func TestCheckDirRefuses(t *testing.T) {
	requireDirCheck(t)
	defer func(old time.Duration) { settleTimeout = old }(settleTimeout)
	settleTimeout = 100 * time.Millisecond
	write := func(dir, name string) error { return os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644) }
	var leaked *os.File
	defer func() {
		if leaked != nil {
			leaked.Close()
		}
	}()
	calls := 0
	for _, tc := range []struct {
		name string
		spec DirSpec
		want string
	}{
		{"no Run", DirSpec{Invariants: []Invariant{AtomicReplace("f")}}, "no Run"},
		{"no invariants", DirSpec{Run: func(dir string) error { return write(dir, "f") }}, "no Invariants"},
		{"Setup fails", DirSpec{Setup: func(string) error { return errors.New("no seed") },
			Run: func(dir string) error { return write(dir, "f") }, Invariants: []Invariant{AtomicReplace("f")}},
			"Setup failed: no seed"},
		{"fault-free run fails", DirSpec{Run: func(dir string) error { return os.Remove(filepath.Join(dir, "none")) },
			Invariants: []Invariant{AtomicReplace("f")}},
			"the fault-free run failed: remove /"},
		{"works elsewhere", DirSpec{Run: func(string) error { return nil }, Invariants: []Invariant{AtomicReplace("f")}},
			"Run made no operation in the directory it was given"},
		{"typo", DirSpec{Run: func(dir string) error { return write(dir, "f") }, Invariants: []Invariant{AtomicReplace("g")}},
			"AtomicReplace(g): g exists in no state"},
		{"not deterministic", DirSpec{
			Run: func(dir string) error {
				calls++
				if err := write(dir, "f"); err != nil || calls > 1 {
					return err
				}
				return write(dir, "g")
			},
			Invariants: []Invariant{AtomicReplace("f")}, Errnos: []syscall.Errno{syscall.EIO}},
			"Run does not make the same operations each time it runs: EIO meant for call #"},
		{"file left open", DirSpec{
			Run: func(dir string) (err error) {
				leaked, err = os.Create(filepath.Join(dir, "f"))
				return err
			},
			Invariants: []Invariant{AtomicReplace("f")}, NoErrors: true},
			"Run left a file open on the mount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dir string
			spec := tc.spec
			if setup := spec.Setup; true {
				spec.Setup = func(d string) error {
					dir = d
					if setup != nil {
						return setup(d)
					}
					return nil
				}
			}
			ft := &failTB{TB: t}
			if rep := CheckDir(ft, spec); rep != nil || !strings.Contains(ft.msg, tc.want) {
				t.Errorf("CheckDir returned %v and reported %q; want no report, and an error with %q", rep, ft.msg, tc.want)
			}
			if dir != "" {
				requireUnmounted(t, dir)
			}
		})
	}
}

// TestCheckDirUnmountsWhenRunStops: when Run panics, the panic reaches
// CheckDir's caller after the mount is gone; when it ends its goroutine
// (t.FailNow does, with runtime.Goexit), the mount is gone too.
func TestCheckDirUnmountsWhenRunStops(t *testing.T) {
	requireDirCheck(t)
	for _, tc := range []struct {
		name string
		stop func()
	}{
		{"panic", func() { panic("boom") }},
		{"Goexit", runtime.Goexit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dir string
			var recovered any
			done := make(chan struct{})
			go func() {
				defer close(done)
				defer func() { recovered = recover() }()
				CheckDir(t, DirSpec{
					Run: func(d string) error {
						dir = d
						if err := os.WriteFile(filepath.Join(d, "f"), []byte("x"), 0o644); err != nil {
							return err
						}
						tc.stop()
						return nil
					},
					Invariants: []Invariant{AtomicReplace("f")},
				})
				t.Error("CheckDir returned")
			}()
			<-done
			if want := map[string]any{"panic": "boom"}[tc.name]; recovered != want {
				t.Errorf("recovered %v, want %v", recovered, want)
			}
			if dir == "" {
				t.Fatal("Run did not run")
			}
			requireUnmounted(t, dir)
		})
	}
}

// TestCheckDirDroppedFile: a file Run drops without closing it is closed
// by its finalizer, as the process's exit would close it, and the check
// goes on: the close is the run's last disk operation.
func TestCheckDirDroppedFile(t *testing.T) {
	requireDirCheck(t)
	var dir string
	written := Invariant{Name: "written", Path: "f", Check: func(s *Situation) error {
		if got := s.Current("f"); s.Kind == AfterSuccess && !strings.HasPrefix(got.String(), `3 bytes "new"`) {
			return fmt.Errorf("f holds %s", got)
		}
		return nil
	}}
	rep := CheckDir(t, DirSpec{
		Run: func(d string) error {
			dir = d
			f, err := os.Create(filepath.Join(d, "f"))
			if err != nil {
				return err
			}
			_, err = f.Write([]byte("new"))
			return err
		},
		Invariants: []Invariant{written},
		NoErrors:   true,
	})
	requireUnmounted(t, dir)
	if n := len(rep.Ops); n == 0 || rep.Ops[n-1].Kind != faultfs.OpClose {
		t.Errorf("the run's disk operations end %v, want the close of the dropped file", rep.Ops)
	}
}

// requireUnmounted fails t if anything is mounted at dir, or dir exists.
func requireUnmounted(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	// The fifth field is the mount point, with space, tab, newline and
	// backslash as octal escapes.
	escaped := strings.NewReplacer(`\`, `\134`, " ", `\040`, "\t", `\011`, "\n", `\012`).Replace(dir)
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) > 4 && f[4] == escaped {
			t.Errorf("still mounted at %s: %s", dir, line)
		}
	}
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the mount point %s is left behind (Lstat: %v)", dir, err)
	}
}
