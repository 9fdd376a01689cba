package writer

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNotDurable is matched (with errors.Is) by the error returned when the
// rename succeeded but the directory fsync after it failed: the target
// already holds the new content, but a power loss may still bring back the
// old one. The same error also wraps the fsync's errno. Do not retry the
// fsync: the kernel may have dropped the state it failed to write.
var ErrNotDurable = errors.New("new content in place but not yet durable")

// ErrNotRegular is matched (with errors.Is) by the error returned for a
// target that exists but is neither a regular file nor a directory: a
// device, a FIFO or a socket. Such an error also wraps syscall.EINVAL; a
// directory is refused with syscall.EISDIR, a missing parent directory
// with syscall.ENOENT.
var ErrNotRegular = errors.New("not a regular file")

// opName is the Op of every *fs.PathError the package returns.
const opName = "replace"

// replaceError says which step of a replace failed, why, and what was left
// on disk. It is the Err of an *fs.PathError whose Path is the target.
type replaceError struct {
	step  string // what was being done, e.g. "fsync temp file"
	err   error  // the cause, wrapping a syscall.Errno
	left  string // what is on disk now, e.g. "target unchanged; temp file removed"
	after bool   // the rename happened: the error wraps ErrNotDurable
	also  error  // another sentinel the error matches, or nil
}

func (e *replaceError) Error() string {
	s := e.step
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s + " (" + e.left + ")"
}

func (e *replaceError) Unwrap() []error {
	errs := []error{e.err}
	if e.after {
		errs = append(errs, ErrNotDurable)
	}
	if e.also != nil {
		errs = append(errs, e.also)
	}
	return errs
}

func replaceErr(target, step string, err error, left string) error {
	return &fs.PathError{Op: opName, Path: target, Err: &replaceError{step: step, err: err, left: left}}
}

// BackupError is the cause of a replace refused because the backup asked
// for with [WithBackup] could not be made. The target is unchanged.
type BackupError struct {
	Path string // the backup's name: the target's plus the suffix
	Err  error  // the cause, wrapping a syscall.Errno
}

func (e *BackupError) Error() string { return e.Path + ": " + errnoText(e.Err) }

func (e *BackupError) Unwrap() error { return e.Err }

// DirError is the cause of a replace refused because no temporary file
// could be created in the target's directory: the directory does not
// exist (the target's parent, or the directory of the file a symbolic
// link points to), or it exists but takes no new files, as in /proc and
// /sys. The target is unchanged.
type DirError struct {
	Dir    string // the directory ("." for the working directory)
	Link   string // the symbolic link's destination, when the target is a link to a file whose directory is missing
	Exists bool   // the directory exists but takes no new files
	Err    error  // the cause, wrapping a syscall.Errno
}

// Reason says what is wrong with the directory, in words, without the
// errno; names holding control characters are quoted.
func (e *DirError) Reason() string {
	dir := quoteName(e.Dir)
	switch {
	case e.Exists:
		return "directory " + dir + " does not accept new files (a virtual filesystem such as /proc or /sys?)"
	case e.Link != "":
		return "symbolic link points to " + quoteName(e.Link) + ", whose directory " + dir + " does not exist"
	}
	return "parent directory " + dir + " does not exist"
}

func (e *DirError) Error() string { return e.Reason() + ": " + errnoText(e.Err) }

func (e *DirError) Unwrap() error { return e.Err }

// quoteName is name as a message shows it: quoted (strconv.Quote) when it
// holds control characters, newlines or bytes that are not UTF-8.
func quoteName(name string) string {
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return strconv.Quote(name)
	}
	return name
}
