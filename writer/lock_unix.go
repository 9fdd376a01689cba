//go:build unix

package writer

import (
	"errors"
	"os"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
	"golang.org/x/sys/unix"
)

// lockTemp takes an exclusive flock on a temporary file of the real
// filesystem, held until the file is closed, so that stale-file cleaning
// can tell a live replace's file from a dead one's. A file without a
// descriptor, or a filesystem without flock, is left unlocked.
func lockTemp(f faultfs.File) {
	withFd(f, func(fd int) error { return unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) })
}

// inUse reports whether the temporary file at path is locked by a replace
// still running, or cannot be opened to find out. A file without a
// descriptor (an in-memory filesystem's) is not in use.
func inUse(fsys faultfs.FS, path string) bool {
	f, err := fsys.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if errors.Is(err, os.ErrNotExist) {
		return false // gone meanwhile: the removal will say nothing
	}
	if err != nil {
		return true // cannot be locked: leave it
	}
	defer f.Close()
	err = withFd(f, func(fd int) error { return unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) })
	return errors.Is(err, unix.EWOULDBLOCK)
}

// withFd runs fn on f's file descriptor, if it has one.
func withFd(f faultfs.File, fn func(fd int) error) error {
	c, ok := f.(syscall.Conn)
	if !ok {
		return errors.ErrUnsupported
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}
