//go:build linux

package cli

import (
	"io/fs"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
)

// Further mounts (--mount PATH) are served from the same Mem as --dir, so
// that one trace orders every operation of the run and every crash state
// is one consistent disk: --dir's tree is the Mem's root (so --file paths
// and reports name files as before) and the tree of the i-th --mount lies
// in a directory of the root, mountsDir/i, which the --dir mount hides
// (neither listed nor reachable by name there). Each mount gets its own
// FUSE connection serving a memView of its part of the Mem; a rename from
// one mount to another fails with EXDEV in the kernel, as between two real
// file systems. A sync(2) makes all of them durable.
const mountsDir = ".crashcheck-mounts"

// mountPrefix is where the i-th --mount's tree lies in the Mem.
func mountPrefix(i int) string { return mountsDir + "/" + strconv.Itoa(i) }

// memView is a faultfs.FS that is part of a Mem: names are taken below
// prefix, and a first element named hide does not exist.
type memView struct {
	m      *faultfs.Mem
	prefix string
	hide   string
}

var _ faultfs.FS = memView{}

func (v memView) name(op, name string) (string, error) {
	c := path.Clean(name)
	if v.hide != "" && (c == v.hide || strings.HasPrefix(c, v.hide+"/")) {
		return "", &fs.PathError{Op: op, Path: name, Err: syscall.ENOENT}
	}
	if v.prefix == "" {
		return c, nil
	}
	return path.Join(v.prefix, c), nil
}

// OpenFile implements FS.OpenFile.
func (v memView) OpenFile(name string, flag int, perm fs.FileMode) (faultfs.File, error) {
	n, err := v.name("open", name)
	if err != nil {
		return nil, err
	}
	return v.m.OpenFile(n, flag, perm)
}

// Create implements FS.Create.
func (v memView) Create(name string) (faultfs.File, error) {
	n, err := v.name("open", name)
	if err != nil {
		return nil, err
	}
	return v.m.Create(n)
}

// Open implements FS.Open.
func (v memView) Open(name string) (faultfs.File, error) {
	n, err := v.name("open", name)
	if err != nil {
		return nil, err
	}
	return v.m.Open(n)
}

// Rename implements FS.Rename.
func (v memView) Rename(oldpath, newpath string) error {
	o, n, err := v.two("rename", oldpath, newpath)
	if err != nil {
		return err
	}
	return v.m.Rename(o, n)
}

// RenameNoReplace is Mem.RenameNoReplace in the view.
func (v memView) RenameNoReplace(oldpath, newpath string) error {
	o, n, err := v.two("rename", oldpath, newpath)
	if err != nil {
		return err
	}
	return v.m.RenameNoReplace(o, n)
}

func (v memView) two(op, a, b string) (string, string, error) {
	x, err := v.name(op, a)
	if err != nil {
		return "", "", err
	}
	y, err := v.name(op, b)
	return x, y, err
}

// Remove implements FS.Remove.
func (v memView) Remove(name string) error {
	n, err := v.name("remove", name)
	if err != nil {
		return err
	}
	return v.m.Remove(n)
}

// Mkdir implements FS.Mkdir.
func (v memView) Mkdir(name string, perm fs.FileMode) error {
	n, err := v.name("mkdir", name)
	if err != nil {
		return err
	}
	return v.m.Mkdir(n, perm)
}

// MkdirAll implements FS.MkdirAll.
func (v memView) MkdirAll(name string, perm fs.FileMode) error {
	n, err := v.name("mkdir", name)
	if err != nil {
		return err
	}
	return v.m.MkdirAll(n, perm)
}

// Stat implements FS.Stat.
func (v memView) Stat(name string) (fs.FileInfo, error) {
	n, err := v.name("stat", name)
	if err != nil {
		return nil, err
	}
	return v.m.Stat(n)
}

// Lstat implements FS.Lstat.
func (v memView) Lstat(name string) (fs.FileInfo, error) {
	n, err := v.name("lstat", name)
	if err != nil {
		return nil, err
	}
	return v.m.Lstat(n)
}

// ReadDir implements FS.ReadDir; the hidden name is left out.
func (v memView) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := v.name("readdirent", name)
	if err != nil {
		return nil, err
	}
	ents, err := v.m.ReadDir(n)
	if err != nil || v.hide == "" || path.Clean(name) != "." {
		return ents, err
	}
	out := ents[:0:0]
	for _, e := range ents {
		if e.Name() != v.hide {
			out = append(out, e)
		}
	}
	return out, nil
}

// Readlink implements FS.Readlink.
func (v memView) Readlink(name string) (string, error) {
	n, err := v.name("readlink", name)
	if err != nil {
		return "", err
	}
	return v.m.Readlink(n)
}

// Symlink implements FS.Symlink; the target is stored as given.
func (v memView) Symlink(oldname, newname string) error {
	n, err := v.name("symlink", newname)
	if err != nil {
		return err
	}
	return v.m.Symlink(oldname, n)
}

// Link implements FS.Link.
func (v memView) Link(oldname, newname string) error {
	o, n, err := v.two("link", oldname, newname)
	if err != nil {
		return err
	}
	return v.m.Link(o, n)
}

// Chmod implements FS.Chmod.
func (v memView) Chmod(name string, mode fs.FileMode) error {
	n, err := v.name("chmod", name)
	if err != nil {
		return err
	}
	return v.m.Chmod(n, mode)
}

// Chown implements FS.Chown.
func (v memView) Chown(name string, uid, gid int) error {
	n, err := v.name("chown", name)
	if err != nil {
		return err
	}
	return v.m.Chown(n, uid, gid)
}

// Lchown is Mem.Lchown in the view.
func (v memView) Lchown(name string, uid, gid int) error {
	n, err := v.name("lchown", name)
	if err != nil {
		return err
	}
	return v.m.Lchown(n, uid, gid)
}

// Chtimes is Mem.Chtimes in the view.
func (v memView) Chtimes(name string, atime, mtime time.Time) error {
	n, err := v.name("chtimes", name)
	if err != nil {
		return err
	}
	return v.m.Chtimes(n, atime, mtime)
}
