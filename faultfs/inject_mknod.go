package faultfs

import "io/fs"

var _ Mknoder = (*Injector)(nil)

// Mknod implements Mknoder through [Mknod]: an OpMknod.
func (i *Injector) Mknod(name string, mode fs.FileMode, dev uint64) error {
	return i.pathOp(Op{Kind: OpMknod, Path: name, Mode: mode, Off: int64(dev)}, "mknod",
		func() error { return Mknod(i.fsys, name, mode, dev) })
}
