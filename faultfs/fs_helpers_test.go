package faultfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// helperFSes are the filesystems every helper must behave the same on.
func helperFSes(t *testing.T) map[string]FS {
	r, err := OpenRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return map[string]FS{
		"Mem":             NewMem(),
		"Injector on Mem": NewInjector(NewMem()),
		"Root":            r,
		"Injector on Root": func() FS {
			r2, err := OpenRoot(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r2.Close() })
			return NewInjector(r2)
		}(),
	}
}

func TestCreateTemp(t *testing.T) {
	for name, fsys := range helperFSes(t) {
		t.Run(name, func(t *testing.T) {
			if err := fsys.Mkdir("d", 0o755); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for range 20 {
				f, err := CreateTemp(fsys, "d", "cfg.*.tmp")
				if err != nil {
					t.Fatal(err)
				}
				n := f.Name()
				base := path.Base(strings.ReplaceAll(n, "\\", "/"))
				if !strings.HasPrefix(base, "cfg.") || !strings.HasSuffix(base, ".tmp") || len(base) <= len("cfg..tmp") {
					t.Errorf("name %q does not follow the pattern cfg.*.tmp", n)
				}
				if seen[base] {
					t.Errorf("name %q drawn twice", base)
				}
				seen[base] = true
				if _, err := WriteString(f, "x"); err != nil {
					t.Fatal(err)
				}
				fi, err := f.Stat()
				if err != nil {
					t.Fatal(err)
				}
				if want := 0o600 &^ Umask(fsys); fi.Mode().Perm() != want {
					t.Errorf("mode %v, want %v", fi.Mode().Perm(), want)
				}
				f.Close()
				if got, err := ReadFile(fsys, "d/"+base); err != nil || string(got) != "x" {
					t.Errorf("read back %q, %v", got, err)
				}
			}
			f, err := CreateTemp(fsys, "", "top")
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			if !strings.HasPrefix(path.Base(f.Name()), "top") {
				t.Errorf("no-star pattern gave %q", f.Name())
			}
			if _, err := CreateTemp(fsys, "d", "a/b*"); !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("pattern with a slash: %v, want fs.ErrInvalid", err)
			}
			if _, err := CreateTemp(fsys, "missing", "x*"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("missing dir: %v, want fs.ErrNotExist", err)
			}
		})
	}
}

func TestCreateTempOpensExclusively(t *testing.T) {
	inj := NewInjector(NewMem())
	f, err := CreateTemp(inj, ".", "t*")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	op := inj.Trace()[0]
	if op.Kind != OpOpen || op.Flag != os.O_RDWR|os.O_CREATE|os.O_EXCL || op.Mode != 0o600 {
		t.Errorf("traced %v, want open O_RDWR|O_CREATE|O_EXCL 0600", op)
	}
}

func TestRemoveAll(t *testing.T) {
	for name, fsys := range helperFSes(t) {
		t.Run(name, func(t *testing.T) {
			populate(t, fsys)
			if err := WriteFile(fsys, "empty/../keep", []byte("k"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := RemoveAll(fsys, "dir"); err != nil {
				t.Fatal(err)
			}
			if _, err := fsys.Lstat("dir"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("dir still there: %v", err)
			}
			if err := RemoveAll(fsys, "link"); err != nil {
				t.Fatal(err)
			}
			if got, err := ReadFile(fsys, "top.txt"); err != nil || string(got) != "top" {
				t.Errorf("removing the link touched its target: %q, %v", got, err)
			}
			if err := RemoveAll(fsys, "nothing/here"); err != nil {
				t.Errorf("missing name: %v, want nil", err)
			}
			if err := RemoveAll(fsys, "empty/."); !errors.Is(err, syscall.EINVAL) {
				t.Errorf(`"empty/.": %v, want EINVAL`, err)
			}
			ents, err := fsys.ReadDir(".")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			if want := []string{"empty", "keep", "top.txt"}; !slices.Equal(names, want) {
				t.Errorf("left %q, want %q", names, want)
			}
		})
	}
}

func TestRemoveAllThroughInjectorTracesEachRemove(t *testing.T) {
	inj := NewInjector(NewMem())
	populate(t, inj)
	before := len(inj.Trace())
	if err := RemoveAll(inj, "dir"); err != nil {
		t.Fatal(err)
	}
	var removed []string
	for _, op := range inj.Trace()[before:] {
		if op.Kind == OpRemove {
			removed = append(removed, op.Path)
		}
	}
	want := []string{"dir/a", "dir/b", "dir/sub/deep.json", "dir/sub", "dir"}
	if !slices.Equal(removed, want) {
		t.Errorf("traced removes %q, want %q (children first)", removed, want)
	}
}

func TestRemoveAllReportsAnInjectedFailure(t *testing.T) {
	inj := NewInjector(NewMem())
	populate(t, inj)
	inj.SetFaults(Fault{When: OnNth(1, And(Kinds(OpRemove), PathMatch("dir/b"))), Do: Errno(syscall.EIO)})
	err := RemoveAll(inj, "dir")
	if !errors.Is(err, syscall.EIO) {
		t.Fatalf("RemoveAll = %v, want the injected EIO", err)
	}
	if _, err := inj.Lstat("dir/b"); err != nil {
		t.Errorf("dir/b should be left: %v", err)
	}
	if _, err := inj.Lstat("dir/a"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("dir/a should be removed all the same: %v", err)
	}
}

func TestTruncate(t *testing.T) {
	fses := helperFSes(t)
	fses["OS"] = OS{}
	for name, fsys := range fses {
		t.Run(name, func(t *testing.T) {
			if name == "OS" {
				t.Chdir(t.TempDir())
			}
			if err := WriteFile(fsys, "f", []byte("hello world"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := Truncate(fsys, "f", 5); err != nil {
				t.Fatal(err)
			}
			if got, _ := ReadFile(fsys, "f"); string(got) != "hello" {
				t.Errorf("after Truncate 5: %q", got)
			}
			if err := Truncate(fsys, "f", 7); err != nil {
				t.Fatal(err)
			}
			if got, _ := ReadFile(fsys, "f"); string(got) != "hello\x00\x00" {
				t.Errorf("after Truncate 7: %q", got)
			}
			err := Truncate(fsys, "missing", 0)
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Op != "truncate" || !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("missing file: %v, want a truncate *fs.PathError with ENOENT", err)
			}
			if err := fsys.Mkdir("d", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := Truncate(fsys, "d", 0); !errors.Is(err, syscall.EISDIR) {
				t.Errorf("directory: %v, want EISDIR", err)
			}
		})
	}
}

func TestTruncateThroughInjectorIsTraced(t *testing.T) {
	m := NewMem()
	inj := NewInjector(m)
	if err := WriteFile(inj, "f", []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := len(inj.Trace())
	if err := Truncate(inj, "f", 1); err != nil {
		t.Fatal(err)
	}
	var kinds []OpKind
	for _, op := range inj.Trace()[before:] {
		kinds = append(kinds, op.Kind)
	}
	if want := []OpKind{OpOpen, OpTruncate, OpClose}; !slices.Equal(kinds, want) {
		t.Errorf("traced %v, want %v", kinds, want)
	}
	log := m.Log()
	found := false
	for _, op := range log {
		found = found || op.Kind == OpTruncate && op.Off == 1
	}
	if !found {
		t.Errorf("Mem's log has no truncate to 1: %v", log)
	}
}

func TestReadDirFile(t *testing.T) {
	fses := helperFSes(t)
	for name, fsys := range fses {
		t.Run(name, func(t *testing.T) {
			for _, n := range []string{"c", "a", "e", "b", "d"} {
				if err := WriteFile(fsys, n, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			d, err := fsys.Open(".")
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var got []string
			for {
				ents, err := ReadDirFile(d, 2)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(ents) == 0 || len(ents) > 2 {
					t.Fatalf("ReadDir(2) gave %d entries", len(ents))
				}
				for _, e := range ents {
					got = append(got, e.Name())
				}
			}
			if rest, err := ReadDirFile(d, -1); err != nil || len(rest) != 0 {
				t.Errorf("ReadDir(-1) at the end = %v, %v; want nothing, nil", rest, err)
			}
			slices.Sort(got)
			if want := []string{"a", "b", "c", "d", "e"}; !slices.Equal(got, want) {
				t.Errorf("listed %q, want %q", got, want)
			}
			f, err := fsys.Open("a")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := ReadDirFile(f, -1); err == nil {
				t.Error("ReadDir of a regular file succeeded")
			}
		})
	}
}

func TestMemReadDirSkipsNothingWhenEntriesChange(t *testing.T) {
	m := NewMem()
	for _, n := range []string{"a", "b", "c", "d"} {
		if err := WriteFile(m, n, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := m.Open(".")
	defer d.Close()
	first, err := ReadDirFile(d, 2) // a, b
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Remove("a"); err != nil { // before the cursor
		t.Fatal(err)
	}
	rest, err := ReadDirFile(d, -1)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range append(first, rest...) {
		names = append(names, e.Name())
	}
	if want := []string{"a", "b", "c", "d"}; !slices.Equal(names, want) {
		t.Errorf("listed %q, want %q: an index cursor would skip c", names, want)
	}
}

func TestReadDirFileWithoutCapability(t *testing.T) {
	var f bareFile
	if _, err := ReadDirFile(f, 0); !errors.Is(err, syscall.ENOTSUP) {
		t.Errorf("got %v, want ENOTSUP", err)
	}
}

// bareFile is a File with nothing beyond the interface.
type bareFile struct{ File }

func (bareFile) Name() string { return "bare" }

func TestWriteStringUsesTheFile(t *testing.T) {
	inj := NewInjector(NewMem())
	f, err := inj.Create("f")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := WriteString(f, "hello"); n != 5 || err != nil {
		t.Fatalf("WriteString = %d, %v", n, err)
	}
	f.Close()
	tr := inj.Trace()
	if op := tr[1]; op.Kind != OpWrite || op.N != 5 {
		t.Errorf("traced %v, want one 5-byte write", op)
	}
}
