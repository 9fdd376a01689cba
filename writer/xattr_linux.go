//go:build linux

package writer

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
	"golang.org/x/sys/unix"
)

// systemXattrs returns the extended attributes of fsys's files that the
// system calls reach: those of the real filesystem for faultfs.OS and
// *faultfs.Root; for another FS, the real filesystem's by path when the
// temporary file tmp that fsys created is, by device and inode, the real
// file at that path (fsys then uses the real filesystem's names, as an
// injector of faults over faultfs.OS does). Otherwise nil: fsys's files
// are not the real filesystem's at those names.
func systemXattrs(fsys faultfs.FS, tmp string) XattrFS {
	switch x := fsys.(type) {
	case faultfs.OS:
		return osXattrs{}
	case *faultfs.Root:
		return rootXattrs{x}
	}
	if sameRealFile(fsys, tmp) {
		return osXattrs{}
	}
	return nil
}

// sameRealFile reports whether name in fsys is the real filesystem's file
// of that name. The real lstat comes first, so that an FS whose names are
// not the real filesystem's sees no extra call.
func sameRealFile(fsys faultfs.FS, name string) bool {
	real, err := os.Lstat(name)
	if err != nil {
		return false
	}
	fi, err := fsys.Lstat(name)
	if err != nil {
		return false
	}
	a, ok1 := real.Sys().(*syscall.Stat_t)
	b, ok2 := fi.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && a.Dev == b.Dev && a.Ino == b.Ino
}

// fileXattrs returns the means of setting the temporary file tf's
// extended attributes: its file descriptor, if it has one; else, when the
// target's attributes are the real filesystem's by path (xfs is
// osXattrs), the real file at tmp by path. Otherwise nil.
func fileXattrs(tf faultfs.File, tmp string, xfs XattrFS) XattrFile {
	if c, ok := tf.(syscall.Conn); ok {
		return fdXattrs{c}
	}
	if _, ok := xfs.(osXattrs); ok {
		return pathXattrs(tmp)
	}
	return nil
}

// pathXattrs sets the extended attributes of the real file at its path,
// without following a final symbolic link: the temporary file of an FS
// whose files have no descriptor but are the real filesystem's.
type pathXattrs string

func (p pathXattrs) Setxattr(attr string, data []byte) error {
	if err := unix.Lsetxattr(string(p), attr, data, 0); err != nil {
		return &os.PathError{Op: "lsetxattr " + attr, Path: string(p), Err: err}
	}
	return nil
}

func (p pathXattrs) Removexattr(attr string) error {
	if err := unix.Lremovexattr(string(p), attr); err != nil {
		return &os.PathError{Op: "lremovexattr " + attr, Path: string(p), Err: err}
	}
	return nil
}

// osXattrs reads the extended attributes of the real filesystem by path,
// without following a final symbolic link: llistxattr and lgetxattr need
// search permission on the path only, not read permission on the file.
// The target's names are resolved by the caller; a link planted at a
// target's name between the writer's lstat and these calls is not
// followed.
type osXattrs struct{}

func (osXattrs) Listxattr(path string) ([]string, error) {
	b, err := grow(func(b []byte) (int, error) { return unix.Llistxattr(path, b) })
	if err != nil {
		return nil, &os.PathError{Op: "llistxattr", Path: path, Err: err}
	}
	return splitNames(b), nil
}

func (osXattrs) Getxattr(path, attr string) ([]byte, error) {
	b, err := grow(func(b []byte) (int, error) { return unix.Lgetxattr(path, attr, b) })
	if err != nil {
		return nil, &os.PathError{Op: "lgetxattr " + attr, Path: path, Err: err}
	}
	return b, nil
}

// rootXattrs reads the extended attributes of files below a faultfs.Root:
// the file is opened with O_PATH through the Root (so the path cannot
// escape it), and its attributes are read through /proc/self/fd.
type rootXattrs struct{ r *faultfs.Root }

func (x rootXattrs) do(path string, fn func(proc string) error) error {
	f, err := x.r.OpenFile(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	c, ok := f.(syscall.Conn)
	if !ok {
		return errors.ErrUnsupported
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		ferr = fn("/proc/self/fd/" + strconv.Itoa(int(fd)))
	}); err != nil {
		return err
	}
	return ferr
}

func (x rootXattrs) Listxattr(path string) ([]string, error) {
	var b []byte
	err := x.do(path, func(proc string) (err error) {
		b, err = grow(func(b []byte) (int, error) { return unix.Listxattr(proc, b) })
		return err
	})
	if err != nil {
		return nil, &os.PathError{Op: "listxattr", Path: path, Err: unwrapPath(err)}
	}
	return splitNames(b), nil
}

func (x rootXattrs) Getxattr(path, attr string) ([]byte, error) {
	var b []byte
	err := x.do(path, func(proc string) (err error) {
		b, err = grow(func(b []byte) (int, error) { return unix.Getxattr(proc, attr, b) })
		return err
	})
	if err != nil {
		return nil, &os.PathError{Op: "getxattr " + attr, Path: path, Err: unwrapPath(err)}
	}
	return b, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// fdXattrs sets extended attributes through a file descriptor.
type fdXattrs struct{ c syscall.Conn }

func (x fdXattrs) control(op, name string, fn func(fd int) error) error {
	rc, err := x.c.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	if ferr != nil {
		path := ""
		if n, ok := x.c.(interface{ Name() string }); ok {
			path = n.Name()
		}
		return &os.PathError{Op: op + " " + name, Path: path, Err: ferr}
	}
	return nil
}

func (x fdXattrs) Setxattr(attr string, data []byte) error {
	return x.control("fsetxattr", attr, func(fd int) error { return unix.Fsetxattr(fd, attr, data, 0) })
}

func (x fdXattrs) Removexattr(attr string) error {
	return x.control("fremovexattr", attr, func(fd int) error { return unix.Fremovexattr(fd, attr) })
}

// grow calls get with a buffer large enough for the value it returns,
// asking for the size first and retrying if the value grew meanwhile.
func grow(get func([]byte) (int, error)) ([]byte, error) {
	for {
		n, err := get(nil)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return []byte{}, nil
		}
		b := make([]byte, n)
		n, err = get(b)
		if errors.Is(err, unix.ERANGE) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return b[:n], nil
	}
}

// splitNames splits a list of NUL-terminated names.
func splitNames(b []byte) []string {
	var names []string
	for _, n := range strings.Split(string(b), "\x00") {
		if n != "" {
			names = append(names, n)
		}
	}
	return names
}
