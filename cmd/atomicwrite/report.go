package main

import (
	"errors"
	"io/fs"
	"syscall"

	"github.com/crashcheck/crashcheck/writer"
)

// report is the one line atomicwrite prints when it fails: FILE, the cause
// in a few words, and what FILE now holds.
func report(name string, err error) string {
	if errors.Is(err, writer.ErrNotDurable) {
		return "atomicwrite: " + name + ": " + cause(err) +
			" syncing its directory; the new content is in place but not yet durable"
	}
	return "atomicwrite: " + name + ": " + cause(err) + "; " + name + " is unchanged"
}

// cause names what went wrong: the errno's text where there is one.
func cause(err error) string {
	var se *stepError
	if errors.As(err, &se) {
		return se.step + ": " + errnoText(se.err)
	}
	switch {
	case errors.Is(err, writer.ErrNotRegular):
		return "not a regular file"
	case errors.Is(err, syscall.ENOENT):
		return "parent directory does not exist"
	}
	return errnoText(err)
}

func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
