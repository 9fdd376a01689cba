//go:build unix

package main

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// stdinProblem says why standard input f must not be used as FILE's new
// content, or returns nil. A closed standard input cannot be seen as such:
// the Go runtime opens /dev/null read-write on a closed fd 0 at startup
// (runtime.checkfds). A shell's "</dev/null" opens it read-only, so
// /dev/null open read-write is taken for a closed standard input.
func stdinProblem(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return &stepError{"reading standard input", err}
	}
	if fi.IsDir() {
		return &stepError{"reading standard input", syscall.EISDIR}
	}
	null, err := os.Stat(os.DevNull)
	if err != nil || !os.SameFile(fi, null) {
		return nil
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	flags := 0
	rc.Control(func(fd uintptr) { flags, err = unix.FcntlInt(fd, unix.F_GETFL, 0) })
	if err == nil && flags&unix.O_ACCMODE == unix.O_RDWR {
		return errStdinClosed
	}
	return nil
}
