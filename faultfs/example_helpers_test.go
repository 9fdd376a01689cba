package faultfs_test

import (
	"fmt"
	"io/fs"
	"path"

	"github.com/crashcheck/crashcheck/faultfs"
)

// Save code written for the os package moves onto an FS with the
// package's helpers: CreateTemp, WriteString, Rename, SyncDir; the
// read-only IOFS view then lets fs.WalkDir list what is on disk.
func ExampleCreateTemp() {
	fsys := faultfs.NewMem()
	if err := fsys.Mkdir("conf", 0o755); err != nil {
		panic(err)
	}
	f, err := faultfs.CreateTemp(fsys, "conf", ".app-*.tmp")
	if err != nil {
		panic(err)
	}
	faultfs.WriteString(f, "name=new\n")
	f.Sync()
	f.Close()
	fsys.Rename(f.Name(), "conf/app.ini")
	faultfs.SyncDir(fsys, "conf")

	fs.WalkDir(faultfs.IOFS(fsys), ".", func(p string, d fs.DirEntry, err error) error {
		fmt.Println(p, d.IsDir())
		return err
	})
	fmt.Println(path.Dir(f.Name()))
	// Output:
	// . true
	// conf true
	// conf/app.ini false
	// conf
}

// RemoveAll through an Injector is the removes it makes, each an op of
// the trace that a fault can pick.
func ExampleRemoveAll() {
	inj := faultfs.NewInjector(faultfs.NewMem())
	inj.MkdirAll("cache/a", 0o755)
	faultfs.WriteFile(inj, "cache/a/x", []byte("x"), 0o644)
	before := inj.Ops()
	faultfs.RemoveAll(inj, "cache")
	for _, op := range inj.Trace()[before:] {
		if op.Kind == faultfs.OpRemove {
			fmt.Println(op.Kind, op.Path)
		}
	}
	// Output:
	// unlink cache/a/x
	// unlink cache/a
	// unlink cache
}
