//go:build unix

package main

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// stdinProblem says why standard input f must not be used as FILE's new
// content, or returns nil: a directory, a descriptor open for writing only
// (0>file), or a closed standard input. A closed one cannot be seen as
// such: the Go runtime opens /dev/null read-write on a closed fd 0 at
// startup (runtime.checkfds). A shell's "</dev/null" opens it read-only,
// so /dev/null open read-write is taken for a closed standard input.
func stdinProblem(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return &stepError{"reading standard input", err}
	}
	if fi.IsDir() {
		return &stepError{"reading standard input", syscall.EISDIR}
	}
	flags, err := fdFlags(f)
	if err != nil {
		return nil // the read will say what is wrong, if anything
	}
	if flags&unix.O_ACCMODE == unix.O_WRONLY {
		return errStdinWriteOnly
	}
	null, err := os.Stat(os.DevNull)
	if err != nil || !os.SameFile(fi, null) {
		return nil
	}
	if flags&unix.O_ACCMODE == unix.O_RDWR {
		return errStdinClosed
	}
	return nil
}

// fdFlags returns f's file status flags (fcntl F_GETFL).
func fdFlags(f *os.File) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	flags := 0
	var ferr error
	if err := rc.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil {
		return 0, err
	}
	return flags, ferr
}
