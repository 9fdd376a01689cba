package faultfs

import (
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
)

// The helpers in this file are what save code calls beyond [FS]'s methods:
// os.CreateTemp, os.RemoveAll, os.Truncate, (*os.File).WriteString and
// (*os.File).ReadDir. They are package-level functions over FS and File, as
// fs.ReadFile is over fs.FS, not new methods of the interfaces: a method
// added to FS or File would break every FS and File written outside this
// package, and each of these can be built from the methods FS and File
// already have. Where a filesystem can do better in one call (os.RemoveAll,
// truncate(2)) it says so with an optional interface, which the helper uses
// first; the fallback does the same thing in the steps a program would take
// by hand, through fsys, so that an [Injector] traces (and can fail) each
// step: RemoveAll as the Lstat, ReadDir and Remove calls it makes, Truncate
// as an open, an ftruncate and a close. *os.File still satisfies File.

// CreateTemp creates a new file in dir, opened for reading and writing,
// with mode 0600 before the umask, and a name made from pattern by
// replacing its last "*" with a random string (or appending one when it
// has none), as os.CreateTemp does: it opens with O_CREATE|O_EXCL, so it
// never opens a file someone else made, and tries a new name while the one
// it drew exists. The file's Name is the path it was created at
// (path.Join(dir, name)).
//
// Unlike os.CreateTemp, an empty dir means the current directory "." of
// fsys, not os.TempDir(): an FS has no temporary directory of its own, and
// a temporary file meant to be renamed over a target belongs in the
// target's directory anyway. A pattern with a "/" in it fails with
// fs.ErrInvalid, as os.CreateTemp's does.
func CreateTemp(fsys FS, dir, pattern string) (File, error) {
	if dir == "" {
		dir = "."
	}
	if strings.ContainsRune(pattern, '/') || strings.ContainsRune(pattern, os.PathSeparator) {
		return nil, &fs.PathError{Op: "createtemp", Path: pattern, Err: errPatternHasSeparator}
	}
	prefix, suffix := pattern, ""
	if i := strings.LastIndexByte(pattern, '*'); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	for try := 0; ; try++ {
		name := path.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10)+suffix)
		f, err := fsys.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && try < 10000 {
			continue
		}
		return f, err
	}
}

var errPatternHasSeparator = &patternError{}

// patternError is the error of a CreateTemp pattern with a separator in
// it; it is fs.ErrInvalid, so errors.Is(err, fs.ErrInvalid) holds.
type patternError struct{}

func (*patternError) Error() string        { return "pattern contains path separator" }
func (*patternError) Is(target error) bool { return target == fs.ErrInvalid }

// RemoveAller is implemented by filesystems that remove a tree in one
// call, as os.RemoveAll does.
type RemoveAller interface {
	RemoveAll(name string) error
}

// RemoveAll removes name and, if it is a directory, everything below it,
// as os.RemoveAll does: it does not follow symbolic links, it returns nil
// when name does not exist, it removes what it can and returns the first
// error it met, and a name whose last element is "." fails with EINVAL.
// It uses fsys's RemoveAll if fsys is a [RemoveAller], and otherwise walks
// the tree with Lstat, ReadDir and Remove, children before their
// directory.
func RemoveAll(fsys FS, name string) error {
	if name == "" {
		return nil // os.RemoveAll("") is a no-op too
	}
	if base := path.Base(strings.TrimRight(name, "/")); base == "." {
		return &fs.PathError{Op: "RemoveAll", Path: name, Err: syscall.EINVAL}
	}
	if r, ok := fsys.(RemoveAller); ok {
		return r.RemoveAll(name)
	}
	return removeAll(fsys, name)
}

func removeAll(fsys FS, name string) error {
	fi, err := fsys.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return ignoreNotExist(fsys.Remove(name))
	}
	ents, err := fsys.ReadDir(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var first error
	if err != nil {
		first = err
	}
	for _, e := range ents {
		if err := removeAll(fsys, path.Join(name, e.Name())); err != nil && first == nil {
			first = err
		}
	}
	if err := ignoreNotExist(fsys.Remove(name)); err != nil && first == nil {
		first = err
	}
	return first
}

func ignoreNotExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Truncater is implemented by filesystems that change a file's size by
// name, as os.Truncate (truncate(2)) does.
type Truncater interface {
	Truncate(name string, size int64) error
}

// Truncate changes the size of the file name to size, following symbolic
// links, as os.Truncate does: data past size is dropped, and a file made
// longer reads as zeros to its new size. It uses fsys's Truncate if fsys
// is a [Truncater], and otherwise opens name write-only, truncates the
// open file and closes it (what truncate(2) does inside the kernel). The
// errors of the fallback are reported with Op "truncate", as os.Truncate
// reports them.
func Truncate(fsys FS, name string, size int64) error {
	if t, ok := fsys.(Truncater); ok {
		return t.Truncate(name, size)
	}
	if size < 0 {
		return &fs.PathError{Op: "truncate", Path: name, Err: syscall.EINVAL}
	}
	f, err := fsys.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return asTruncateErr(name, err)
	}
	err = f.Truncate(size)
	if err1 := f.Close(); err == nil {
		err = err1
	}
	return asTruncateErr(name, err)
}

func asTruncateErr(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: "truncate", Path: name, Err: pe.Err}
	}
	return err
}

// WriteString writes s to f, as (*os.File).WriteString does: through f's
// own WriteString if it has one (an *os.File does), else as one Write of
// s's bytes. It is io.WriteString, named here so that code moving from
// f.WriteString(s) onto a [File] finds it.
func WriteString(f File, s string) (int, error) {
	return io.WriteString(f, s)
}

// ReadDirFile reads the directory f, opened with Open or OpenFile, as
// (*os.File).ReadDir does: with n > 0, at most n entries, and io.EOF once
// there are no more; with n <= 0, all the entries left, and a nil error
// at the end. Each call continues where the last one stopped. It uses f's
// ReadDir, which *os.File, [Mem]'s and the [Injector]'s files have (the
// Injector's as an OpReadDir op of its trace), and fails with ENOTSUP for
// a File without one: a File has no other way to list its entries.
func ReadDirFile(f File, n int) ([]fs.DirEntry, error) {
	if d, ok := f.(fs.ReadDirFile); ok {
		return d.ReadDir(n)
	}
	return nil, &fs.PathError{Op: "readdirent", Path: f.Name(), Err: syscall.ENOTSUP}
}
