package faultfs

import (
	"io/fs"
	"os"
	"slices"
	"testing"
	"testing/fstest"
)

// populate makes the same small tree on any FS: files at two depths, an
// empty directory and a symbolic link.
func populate(t *testing.T, fsys FS) {
	t.Helper()
	for _, d := range []string{"dir", "dir/sub", "empty"} {
		if err := fsys.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range map[string]string{
		"top.txt": "top", "dir/a": "alpha", "dir/b": "", "dir/sub/deep.json": `{"k":1}`,
	} {
		if err := WriteFile(fsys, name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := fsys.Symlink("top.txt", "link"); err != nil {
		t.Fatal(err)
	}
}

var treeFiles = []string{"top.txt", "dir/a", "dir/b", "dir/sub/deep.json", "link"}

func TestIOFSPassesFSTest(t *testing.T) {
	views := map[string]func(t *testing.T) FS{
		"Mem": func(t *testing.T) FS { return NewMem() },
		"Injector over Mem": func(t *testing.T) FS {
			return NewInjector(NewMem())
		},
		"Root": func(t *testing.T) FS {
			r, err := OpenRoot(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			return r
		},
		"OS in the working directory": func(t *testing.T) FS {
			t.Chdir(t.TempDir())
			return OS{}
		},
	}
	for name, mk := range views {
		t.Run(name, func(t *testing.T) {
			fsys := mk(t)
			populate(t, fsys)
			if err := fstest.TestFS(IOFS(fsys), treeFiles...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestIOFSWalkDirSeesTheTree(t *testing.T) {
	m := NewMem()
	populate(t, m)
	var got []string
	err := fs.WalkDir(IOFS(m), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		got = append(got, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".", "dir", "dir/a", "dir/b", "dir/sub", "dir/sub/deep.json", "empty", "link", "top.txt"}
	if !slices.Equal(got, want) {
		t.Errorf("WalkDir visited %q, want %q", got, want)
	}
}

func TestIOFSRefusesInvalidNames(t *testing.T) {
	m := NewMem()
	populate(t, m)
	v := IOFS(m)
	for _, name := range []string{"/top.txt", "../x", "dir/../top.txt", "dir/", ""} {
		if _, err := v.Open(name); !errorsIsInvalid(err) {
			t.Errorf("Open(%q) = %v, want fs.ErrInvalid", name, err)
		}
		if _, err := fs.Stat(v, name); !errorsIsInvalid(err) {
			t.Errorf("Stat(%q) = %v, want fs.ErrInvalid", name, err)
		}
	}
}

func errorsIsInvalid(err error) bool {
	pe, ok := err.(*fs.PathError)
	return ok && pe.Err == fs.ErrInvalid
}

func TestIOFSIsReadOnly(t *testing.T) {
	inj := NewInjector(NewMem())
	populate(t, inj)
	before := len(inj.Trace())
	if _, err := fs.ReadFile(IOFS(inj), "dir/a"); err != nil {
		t.Fatal(err)
	}
	if err := fs.WalkDir(IOFS(inj), ".", func(string, fs.DirEntry, error) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, op := range inj.Trace()[before:] {
		if op.Kind.IsMutating() || op.Kind == OpOpen && op.Flag != os.O_RDONLY {
			t.Errorf("the read-only view made %v", op)
		}
	}
}

func TestIOFSOfOSMatchesOSDirFS(t *testing.T) {
	dir := t.TempDir()
	r, err := OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	populate(t, r)
	for _, name := range treeFiles {
		want, err1 := fs.ReadFile(os.DirFS(dir), name)
		got, err2 := fs.ReadFile(IOFS(r), name)
		if err1 != nil || err2 != nil || string(got) != string(want) {
			t.Errorf("%s: IOFS read %q, %v; os.DirFS %q, %v", name, got, err2, want, err1)
		}
	}
}
