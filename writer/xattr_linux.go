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

// xattrsOf returns fsys's extended attributes: its own if it has the
// capability, the system calls' for the real filesystem, nil otherwise.
func xattrsOf(fsys faultfs.FS) xattrFS {
	switch x := fsys.(type) {
	case xattrFS:
		return x
	case faultfs.OS:
		return osXattrs{}
	case *faultfs.Root:
		return rootXattrs{x}
	}
	return nil
}

// fileXattrs returns the extended attributes of an open file of the real
// filesystem (one with a file descriptor), or nil.
func fileXattrs(f faultfs.File) xattrFile {
	if c, ok := f.(syscall.Conn); ok {
		return fdXattrs{c}
	}
	return nil
}

// osXattrs reads the extended attributes of the real filesystem by path,
// without following a final symbolic link: llistxattr and lgetxattr need
// search permission on the path only, not read permission on the file.
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
