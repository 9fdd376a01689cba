package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/crashcheck/crashcheck/writer"
)

// errStdinClosed: standard input was closed when atomicwrite started.
var errStdinClosed = errors.New("standard input is closed")

// report is the one line atomicwrite prints when it fails: FILE, the cause
// in a few words, and what FILE now holds.
func report(name string, err error) string {
	q := qname(name)
	if errors.Is(err, writer.ErrNotDurable) {
		return "atomicwrite: " + q + ": " + cause(name, err) +
			" syncing its directory; the new content is in place but not yet durable"
	}
	if errors.Is(err, errStdinClosed) {
		return "atomicwrite: standard input is closed; " + q + " is unchanged (give </dev/null to empty it)"
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
		return xe.Error() + " (-allow-xattr-loss replaces it without)"
	}
	switch {
	case errors.Is(err, writer.ErrNotRegular):
		if fi, serr := os.Stat(name); serr == nil && fi.Mode()&fs.ModeNamedPipe != 0 {
			return "is a pipe, not a regular file"
		}
		if fi, serr := os.Stat(name); serr == nil && fi.Mode()&fs.ModeSocket != 0 {
			return "is a socket, not a regular file"
		}
		return "not a regular file"
	case errors.Is(err, syscall.ENOENT):
		return missingDir(name)
	}
	return errnoText(err)
}

// missingDir says why no file could be created next to name.
func missingDir(name string) string {
	if fi, err := os.Lstat(name); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		dest, _ := os.Readlink(name)
		return "symbolic link to " + qname(dest) + " in a directory that does not exist"
	}
	if fi, err := os.Stat(filepath.Dir(name)); err == nil && fi.IsDir() {
		return "its directory does not accept new files (a virtual filesystem such as /proc or /sys?)"
	}
	return "parent directory does not exist"
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
