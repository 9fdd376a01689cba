package faultfs

import (
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// OS is the real filesystem, through the os package. Names are used as the
// os package uses them: relative to the working directory unless absolute.
//
// Of the optional capabilities, OS has Lchown, Chtimes and Umask (the
// process's) everywhere, Mknod (mknod(2)) on Linux and macOS, and
// RenameNoReplace (renameat2) and Lchtimes (utimensat) on Linux only; its
// files are *os.File, for which [Datasync] is fdatasync on Linux. It is not
// an [Acker]: [Ack] on it marks nothing and returns nil.
type OS struct{}

var _ FS = OS{}

// OpenFile implements FS.OpenFile.
func (OS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Create implements FS.Create.
func (o OS) Create(name string) (File, error) {
	return o.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Open implements FS.Open.
func (o OS) Open(name string) (File, error) { return o.OpenFile(name, os.O_RDONLY, 0) }

// Rename implements FS.Rename.
func (OS) Rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// Remove implements FS.Remove.
func (OS) Remove(name string) error { return os.Remove(name) }

// Mkdir implements FS.Mkdir.
func (OS) Mkdir(name string, perm fs.FileMode) error { return os.Mkdir(name, perm) }

// MkdirAll implements FS.MkdirAll.
func (OS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }

// Stat implements FS.Stat.
func (OS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// Lstat implements FS.Lstat.
func (OS) Lstat(name string) (fs.FileInfo, error) { return os.Lstat(name) }

// ReadDir implements FS.ReadDir.
func (OS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }

// Readlink implements FS.Readlink.
func (OS) Readlink(name string) (string, error) { return os.Readlink(name) }

// Symlink implements FS.Symlink.
func (OS) Symlink(oldname, newname string) error { return os.Symlink(oldname, newname) }

// Link implements FS.Link.
func (OS) Link(oldname, newname string) error { return os.Link(oldname, newname) }

// Chmod implements FS.Chmod.
func (OS) Chmod(name string, mode fs.FileMode) error { return os.Chmod(name, mode) }

// Chown implements FS.Chown.
func (OS) Chown(name string, uid, gid int) error { return os.Chown(name, uid, gid) }

// Umask implements Umasker.
func (OS) Umask() fs.FileMode { return processUmask() }

// Lchown implements Lchowner with os.Lchown.
func (OS) Lchown(name string, uid, gid int) error { return os.Lchown(name, uid, gid) }

// Chtimes implements Chtimeser with os.Chtimes.
func (OS) Chtimes(name string, atime, mtime time.Time) error { return os.Chtimes(name, atime, mtime) }

// Root is the real filesystem below one directory, through os.Root: names
// are relative to the directory and may not escape it (not even through
// symbolic links). Close it when done.
//
// Of the optional capabilities, Root has Lchown, Chtimes and Umask (the
// process's) everywhere, and RenameNoReplace and Lchtimes on Linux only (on
// the directories os.Root opens, so that they cannot escape either). Its
// files are *os.File, so [Datasync] is fdatasync(2) on Linux. Root has no
// Mknod: os.Root offers no mknodat, so [Mknod] on a Root fails with EPERM
// (use [OS] to make special files). Nor is it an [Acker]: [Ack] on it marks
// nothing and returns nil.
type Root struct {
	root *os.Root
}

var _ FS = (*Root)(nil)

// OpenRoot opens dir as a Root.
func OpenRoot(dir string) (*Root, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Root{root: r}, nil
}

// Name returns the directory the Root was opened on.
func (r *Root) Name() string { return r.root.Name() }

// Close releases the Root's directory.
func (r *Root) Close() error { return r.root.Close() }

// OpenFile implements FS.OpenFile.
func (r *Root) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := r.root.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Create implements FS.Create.
func (r *Root) Create(name string) (File, error) {
	return r.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Open implements FS.Open.
func (r *Root) Open(name string) (File, error) { return r.OpenFile(name, os.O_RDONLY, 0) }

// Rename implements FS.Rename.
func (r *Root) Rename(oldpath, newpath string) error { return r.root.Rename(oldpath, newpath) }

// Remove implements FS.Remove.
func (r *Root) Remove(name string) error { return r.root.Remove(name) }

// Mkdir implements FS.Mkdir.
func (r *Root) Mkdir(name string, perm fs.FileMode) error { return r.root.Mkdir(name, perm) }

// MkdirAll implements FS.MkdirAll.
func (r *Root) MkdirAll(name string, perm fs.FileMode) error { return r.root.MkdirAll(name, perm) }

// Stat implements FS.Stat.
func (r *Root) Stat(name string) (fs.FileInfo, error) { return r.root.Stat(name) }

// Lstat implements FS.Lstat.
func (r *Root) Lstat(name string) (fs.FileInfo, error) { return r.root.Lstat(name) }

// ReadDir implements FS.ReadDir.
func (r *Root) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(r.root.FS(), filepath.ToSlash(filepath.Clean(name)))
}

// Readlink implements FS.Readlink.
func (r *Root) Readlink(name string) (string, error) { return r.root.Readlink(name) }

// Symlink implements FS.Symlink.
func (r *Root) Symlink(oldname, newname string) error { return r.root.Symlink(oldname, newname) }

// Link implements FS.Link.
func (r *Root) Link(oldname, newname string) error { return r.root.Link(oldname, newname) }

// Chmod implements FS.Chmod.
func (r *Root) Chmod(name string, mode fs.FileMode) error { return r.root.Chmod(name, mode) }

// Chown implements FS.Chown.
func (r *Root) Chown(name string, uid, gid int) error { return r.root.Chown(name, uid, gid) }

// Umask implements Umasker.
func (r *Root) Umask() fs.FileMode { return processUmask() }

// Lchown implements Lchowner with os.Root.Lchown.
func (r *Root) Lchown(name string, uid, gid int) error { return r.root.Lchown(name, uid, gid) }

// Chtimes implements Chtimeser with os.Root.Chtimes.
func (r *Root) Chtimes(name string, atime, mtime time.Time) error {
	return r.root.Chtimes(name, atime, mtime)
}
