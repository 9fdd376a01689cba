package faultfs_test

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// replace writes data to name by way of a temporary file, the way an atomic
// writer does, stopping at the first error.
func replace(fsys faultfs.FS, name string, data []byte) error {
	f, err := fsys.Create(name + ".tmp")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := fsys.Rename(name+".tmp", name); err != nil {
		return err
	}
	return faultfs.SyncDir(fsys, ".")
}

// A crash at the rename: it and every op after it fail with ErrCrashed,
// and the trace shows where the workload stopped.
func ExampleInjector() {
	inj := faultfs.NewInjector(faultfs.NewMem(), faultfs.Fault{
		When: faultfs.OnNth(1, faultfs.Kinds(faultfs.OpRename)),
		Do:   faultfs.Crash(),
	})
	err := replace(inj, "config", []byte("new"))
	fmt.Println(errors.Is(err, faultfs.ErrCrashed))
	_, err = inj.Stat("config.tmp")
	fmt.Println(err)
	for _, op := range inj.Trace() {
		fmt.Println(op)
	}
	// Output:
	// true
	// stat config.tmp: faultfs: simulated crash
	// #0 open config.tmp O_RDWR|O_CREAT|O_TRUNC 0666 = ok
	// #1 write config.tmp off=0 len=3 = ok
	// #2 fsync config.tmp = ok
	// #3 close config.tmp = ok
	// #4 rename config.tmp -> config = CRASHED
	// #5 stat config.tmp = CRASHED
}

// An fsync that fails with EIO, matched by kind and path, returns the error
// the os package would.
func ExampleErrno() {
	inj := faultfs.NewInjector(faultfs.NewMem(), faultfs.Fault{
		When: faultfs.OnNth(1, faultfs.And(faultfs.Kinds(faultfs.OpSync), faultfs.PathMatch("*.tmp"))),
		Do:   faultfs.Errno(syscall.EIO),
	})
	err := replace(inj, "config", []byte("new"))
	fmt.Println(err)
	fmt.Println(errors.Is(err, syscall.EIO))
	fmt.Println(inj.Fired())
	// Output:
	// sync config.tmp: input/output error
	// true
	// [#2 fsync config.tmp = EIO]
}

// A write that fills the disk writes half its data and fails with ENOSPC.
func ExampleShortWrite() {
	inj := faultfs.NewInjector(faultfs.NewMem(), faultfs.Fault{
		When: faultfs.OnNth(1, faultfs.Kinds(faultfs.OpWrite)),
		Do:   faultfs.ShortWrite(),
	})
	f, _ := inj.Create("log")
	n, err := f.Write([]byte("0123456789"))
	fmt.Println(n, err)
	f.Close()
	data, _ := faultfs.ReadFile(inj, "log")
	fmt.Printf("%q\n", data)
	// Output:
	// 5 write log: no space left on device
	// "01234"
}

// OnIndex picks an op by its place in the trace: running a workload once
// per index, as the harness does, fails each op in turn.
func ExampleOnIndex() {
	var ops int
	for n := 0; ; n++ {
		inj := faultfs.NewInjector(faultfs.NewMem(), faultfs.Fault{When: faultfs.OnIndex(n), Do: faultfs.Errno(syscall.ENOSPC)})
		err := replace(inj, "config", []byte("new"))
		if len(inj.Fired()) == 0 {
			ops = n
			break
		}
		fmt.Printf("%v: %v\n", inj.Fired()[0].Kind, err)
	}
	fmt.Println(ops, "ops")
	// Output:
	// open: open config.tmp: no space left on device
	// write: write config.tmp: no space left on device
	// fsync: sync config.tmp: no space left on device
	// close: close config.tmp: no space left on device
	// rename: rename config.tmp config: no space left on device
	// open: open .: no space left on device
	// fsyncdir: sync .: no space left on device
	// close: close .: no space left on device
	// 8 ops
}
