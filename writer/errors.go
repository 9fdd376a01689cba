package writer

import (
	"errors"
	"io/fs"
	"syscall"
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

func (e *BackupError) Error() string {
	var errno syscall.Errno
	if errors.As(e.Err, &errno) {
		return e.Path + ": " + errno.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

func (e *BackupError) Unwrap() error { return e.Err }
