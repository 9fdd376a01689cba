package main

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/crashcheck/crashcheck/writer"
)

// errStdinClosed: standard input was closed when atomicwrite started.
var errStdinClosed = errors.New("standard input is closed")

// errStdinWriteOnly: standard input is open for writing only (0>file).
var errStdinWriteOnly = errors.New("standard input is not open for reading")

// report is the one line atomicwrite prints when it fails: FILE, the cause
// in a few words, and what FILE now holds.
func report(name string, err error) string {
	q := qname(name)
	if errors.Is(err, writer.ErrNotDurable) {
		return "atomicwrite: " + q + ": " + cause(name, err) +
			" syncing its directory; the new content is in place but not yet durable"
	}
	if errors.Is(err, errStdinClosed) {
		return "atomicwrite: standard input is closed (or is /dev/null opened read-write); " + q + " is unchanged (to empty it on purpose, give </dev/null or -empty-ok)"
	}
	if errors.Is(err, errStdinWriteOnly) {
		return "atomicwrite: standard input is not open for reading; " + q + " is unchanged"
	}
	var se *stepError
	if errors.As(err, &se) && se.step == "reading standard input" {
		return "atomicwrite: reading standard input: " + errnoText(se.err) + "; " + q + " is unchanged"
	}
	return "atomicwrite: " + q + ": " + cause(name, err) + "; " + q + " is unchanged"
}

// cause names what went wrong: the errno's text where there is one.
func cause(name string, err error) string {
	var se *stepError
	if errors.As(err, &se) {
		return se.step + ": " + errnoText(se.err)
	}
	var be *writer.BackupError
	if errors.As(err, &be) {
		why := errnoText(be.Err)
		if fi, err := os.Lstat(be.Path); err == nil && fi.IsDir() {
			why = "is a directory"
		}
		return "cannot keep the backup " + qname(be.Path) + ": " + why
	}
	var xe *writer.XattrError
	if errors.As(err, &xe) {
		return xe.Error() + " (-allow-xattr-loss replaces FILE anyway, without it)"
	}
	var oe *writer.OwnerError
	if errors.As(err, &oe) {
		return oe.Error() + " (-allow-owner-loss replaces FILE anyway, as yours)"
	}
	var de *writer.DirError
	if errors.As(err, &de) {
		return de.Reason()
	}
	if errors.Is(err, writer.ErrNotRegular) {
		if fi, serr := os.Stat(name); serr == nil {
			switch m := fi.Mode(); {
			case m&fs.ModeNamedPipe != 0:
				return "is a pipe, not a regular file"
			case m&fs.ModeSocket != 0:
				return "is a socket, not a regular file"
			}
		}
		return "not a regular file"
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

// qname is name as a message shows it: quoted (strconv.Quote) when it
// holds control characters, newlines or bytes that are not UTF-8, so
// that the message stays one readable line.
func qname(name string) string {
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return strconv.Quote(name)
	}
	return name
}
