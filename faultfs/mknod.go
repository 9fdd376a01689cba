package faultfs

import (
	"io/fs"
	"syscall"
)

// Mknoder is an FS that can make special files: FIFOs, unix sockets'
// names, character and block device nodes (mknod(2)).
type Mknoder interface {
	// Mknod makes name with the type and permission bits of mode
	// (fs.ModeNamedPipe, fs.ModeSocket, fs.ModeDevice with or without
	// fs.ModeCharDevice; no type bits: an empty regular file) and, for a
	// device, dev as the device it stands for (st_rdev, Linux's encoding).
	Mknod(name string, mode fs.FileMode, dev uint64) error
}

// Mknod makes a special file through fsys's Mknod if it is a [Mknoder],
// and fails with EPERM otherwise, as mknod(2) does on a filesystem that
// does not support the node's type.
func Mknod(fsys FS, name string, mode fs.FileMode, dev uint64) error {
	if m, ok := fsys.(Mknoder); ok {
		return m.Mknod(name, mode, dev)
	}
	return pathErr("mknod", name, syscall.EPERM)
}

// specialTypes are the file types Mknod makes besides regular files.
const specialTypes = fs.ModeNamedPipe | fs.ModeSocket | fs.ModeDevice | fs.ModeCharDevice
