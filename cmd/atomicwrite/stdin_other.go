//go:build !unix

package main

import (
	"os"
	"syscall"
)

// stdinProblem says why standard input f must not be used as FILE's new
// content, or returns nil: here, only a directory is refused.
func stdinProblem(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return &stepError{"reading standard input", err}
	}
	if fi.IsDir() {
		return &stepError{"reading standard input", syscall.EISDIR}
	}
	return nil
}
