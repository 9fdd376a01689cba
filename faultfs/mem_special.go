package faultfs

import (
	"io/fs"
	"syscall"
)

// Special files in Mem: FIFOs, unix sockets' names and device nodes are
// directory entries with a type, a mode and (devices) a device number; they
// hold no data. Making one is a metadata operation like create: logged as
// an OpMknod, durable once its directory is synced.

var _ Mknoder = (*Mem)(nil)

// Mknod implements Mknoder. As mknod(2) does, it applies the umask, does
// not follow a final symbolic link (EEXIST), refuses a directory's or a
// link's type (EPERM, EINVAL), and with no type bits makes an empty regular
// file (logged as an OpCreate). Opening a FIFO or a device through Mem
// fails with ENXIO: nothing is behind it (served over FUSE, the kernel opens
// FIFOs and devices itself).
func (m *Mem) Mknod(name string, mode fs.FileMode, dev uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	typ := mode.Type()
	switch {
	case typ&fs.ModeDir != 0:
		return pathErr("mknod", name, syscall.EPERM)
	case typ&^specialTypes != 0 || typ&fs.ModeCharDevice != 0 && typ&fs.ModeDevice == 0:
		return pathErr("mknod", name, syscall.EINVAL)
	}
	r, err := m.resolveNew("mknod", name)
	if err != nil {
		return err
	}
	switch {
	case r.node != nil:
		return pathErr("mknod", name, syscall.EEXIST)
	case r.slash:
		return pathErr("mknod", name, syscall.ENOENT)
	case len(r.name) > 255:
		return pathErr("mknod", name, syscall.ENAMETOOLONG)
	}
	perm := mode.Perm()&^m.umask | mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)
	n := m.newChild(r.parent, typ, perm)
	if typ&fs.ModeDevice != 0 {
		n.rdev = dev
	}
	m.linkLocked(r.parent, r.name, n)
	op := Op{Kind: OpMknod, Path: name, Mode: typ | n.mode, Off: int64(n.rdev)}
	if typ == 0 {
		op = Op{Kind: OpCreate, Path: name, Mode: n.mode}
	}
	m.record(logOp{op: op, ino: n.ino, dir: r.parent.ino, name: r.name, created: freeze(n)})
	return nil
}

// isSpecial reports whether n is a FIFO, socket or device node.
func (n *inode) isSpecial() bool { return n.kind&specialTypes != 0 }
