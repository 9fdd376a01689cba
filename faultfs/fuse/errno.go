//go:build linux

package fuse

import (
	"errors"
	"io/fs"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// errnoOf turns an FS error into the errno the kernel hands the program.
// A simulated crash becomes EIO: to the program it is a failing disk.
func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		return errno
	case errors.Is(err, faultfs.ErrCrashed):
		return syscall.EIO
	case errors.Is(err, fs.ErrNotExist):
		return syscall.ENOENT
	case errors.Is(err, fs.ErrExist):
		return syscall.EEXIST
	case errors.Is(err, fs.ErrPermission):
		return syscall.EACCES
	case errors.Is(err, fs.ErrInvalid):
		return syscall.EINVAL
	}
	return syscall.EIO
}
