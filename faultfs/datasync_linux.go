package faultfs

import (
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// osDatasync is fdatasync(2) on f.
func osDatasync(f *os.File) error {
	c, err := f.SyscallConn()
	if err != nil {
		return f.Sync()
	}
	var serr error
	if err := c.Control(func(fd uintptr) {
		for {
			serr = unix.Fdatasync(int(fd))
			if serr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return &fs.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
	}
	if serr != nil {
		return &fs.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}
