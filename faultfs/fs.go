package faultfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// FS is a filesystem shaped like the os package: code written against os
// adapts by replacing os.X( with fsys.X(. Every method reports errors as
// *fs.PathError or *os.LinkError wrapping a syscall.Errno, exactly where the
// os package would, so errors.Is(err, fs.ErrNotExist) and
// errors.Is(err, syscall.ENOSPC) behave the same on every implementation.
//
// A directory is synced the POSIX way: OpenFile(dir, os.O_RDONLY, 0) and
// Sync on the result.
type FS interface {
	// OpenFile implements os.OpenFile.
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	// Create implements os.Create.
	Create(name string) (File, error)
	// Open implements os.Open.
	Open(name string) (File, error)
	// Rename implements os.Rename.
	Rename(oldpath, newpath string) error
	// Remove implements os.Remove.
	Remove(name string) error
	// Mkdir implements os.Mkdir.
	Mkdir(name string, perm fs.FileMode) error
	// MkdirAll implements os.MkdirAll.
	MkdirAll(name string, perm fs.FileMode) error
	// Stat implements os.Stat.
	Stat(name string) (fs.FileInfo, error)
	// Lstat implements os.Lstat.
	Lstat(name string) (fs.FileInfo, error)
	// ReadDir implements os.ReadDir: entries sorted by name.
	ReadDir(name string) ([]fs.DirEntry, error)
	// Readlink implements os.Readlink.
	Readlink(name string) (string, error)
	// Symlink implements os.Symlink.
	Symlink(oldname, newname string) error
	// Link implements os.Link.
	Link(oldname, newname string) error
	// Chmod implements os.Chmod.
	Chmod(name string, mode fs.FileMode) error
	// Chown implements os.Chown.
	Chown(name string, uid, gid int) error
}

// File is an open file, shaped like *os.File (which satisfies it).
type File interface {
	io.Reader
	io.Writer
	io.ReaderAt
	io.WriterAt
	io.Seeker
	io.Closer
	// Name returns the name the file was opened with.
	Name() string
	// Sync makes the file's data, size and attributes durable; on a
	// directory, its entries. It does not make the file's name durable.
	Sync() error
	// Truncate implements os.File.Truncate.
	Truncate(size int64) error
	// Stat implements os.File.Stat.
	Stat() (fs.FileInfo, error)
	// Chmod implements os.File.Chmod.
	Chmod(mode fs.FileMode) error
	// Chown implements os.File.Chown.
	Chown(uid, gid int) error
}

var _ File = (*os.File)(nil)

// The optional capabilities an FS may have beyond [FS], each an interface
// and a helper that uses it and otherwise falls back, as io/fs does with
// fs.ReadFileFS and fs.ReadFile. A helper never pretends: where nothing can
// stand in for the capability it fails as a Linux filesystem without it
// fails. [Mem] and [Injector] have them all (the Injector passes each one
// on to the FS it wraps, through the helper, and traces it as an op of its
// own); [OS] and [Root] have them on Linux except where their docs say.

// NoReplaceRenamer is implemented by filesystems that can rename without
// replacing: renameat2(2) with RENAME_NOREPLACE, atomic, failing with EEXIST
// when newpath exists.
type NoReplaceRenamer interface {
	RenameNoReplace(oldpath, newpath string) error
}

// RenameNoReplace renames oldpath to newpath unless newpath exists, in one
// atomic step, if fsys is a [NoReplaceRenamer]. Otherwise it fails with
// EINVAL in an *os.LinkError, as renameat2 does on a filesystem without
// RENAME_NOREPLACE: a check followed by a rename would not be atomic, so
// the caller must decide whether that is good enough.
func RenameNoReplace(fsys FS, oldpath, newpath string) error {
	if r, ok := fsys.(NoReplaceRenamer); ok {
		return r.RenameNoReplace(oldpath, newpath)
	}
	return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: syscall.EINVAL}
}

// Lchowner is implemented by filesystems that can change the owner of a
// symbolic link itself, as os.Lchown does.
type Lchowner interface {
	Lchown(name string, uid, gid int) error
}

// Lchown changes the owner of name without following a final symbolic
// link: fsys's Lchown if it is an [Lchowner]; otherwise Chown when name is
// not a symbolic link (the same thing), and ENOTSUP when it is.
func Lchown(fsys FS, name string, uid, gid int) error {
	if l, ok := fsys.(Lchowner); ok {
		return l.Lchown(name, uid, gid)
	}
	if err := notSymlink(fsys, "lchown", name); err != nil {
		return err
	}
	return fsys.Chown(name, uid, gid)
}

// Chtimeser is implemented by filesystems that can set a file's access and
// modification times, as os.Chtimes does (a zero time.Time leaves that
// time unchanged).
type Chtimeser interface {
	Chtimes(name string, atime, mtime time.Time) error
}

// Chtimes sets name's times through fsys's Chtimes if it is a
// [Chtimeser], and fails with ENOTSUP otherwise.
func Chtimes(fsys FS, name string, atime, mtime time.Time) error {
	if c, ok := fsys.(Chtimeser); ok {
		return c.Chtimes(name, atime, mtime)
	}
	return &fs.PathError{Op: "chtimes", Path: name, Err: syscall.ENOTSUP}
}

// Lchtimeser is implemented by filesystems that can set the times of a
// symbolic link itself (utimensat with AT_SYMLINK_NOFOLLOW).
type Lchtimeser interface {
	Lchtimes(name string, atime, mtime time.Time) error
}

// Lchtimes sets name's times without following a final symbolic link:
// fsys's Lchtimes if it is an [Lchtimeser]; otherwise [Chtimes] when name
// is not a symbolic link, and ENOTSUP when it is.
func Lchtimes(fsys FS, name string, atime, mtime time.Time) error {
	if c, ok := fsys.(Lchtimeser); ok {
		return c.Lchtimes(name, atime, mtime)
	}
	if err := notSymlink(fsys, "lchtimes", name); err != nil {
		return err
	}
	return Chtimes(fsys, name, atime, mtime)
}

// notSymlink returns nil if name exists and is not a symbolic link, the
// Lstat error if it does not exist, and ENOTSUP named op if it is a link.
func notSymlink(fsys FS, op, name string) error {
	fi, err := fsys.Lstat(name)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return &fs.PathError{Op: op, Path: name, Err: syscall.ENOTSUP}
	}
	return nil
}

// Datasyncer is implemented by files that can sync their data without the
// rest of their metadata: fdatasync(2). Datasync makes the file's data and
// its size durable (what a later read needs), not its mode or owner; on a
// directory it is Sync.
type Datasyncer interface {
	Datasync() error
}

// Datasync syncs f's data: f.Datasync if f is a [Datasyncer], fdatasync(2)
// on an *os.File where the platform has it (Linux), and f.Sync otherwise
// (which makes at least as much durable).
func Datasync(f File) error {
	switch f := f.(type) {
	case Datasyncer:
		return f.Datasync()
	case *os.File:
		return osDatasync(f)
	}
	return f.Sync()
}

// Umasker is implemented by filesystems that know the mask applied to the
// permission bits of new files and directories.
type Umasker interface {
	Umask() fs.FileMode
}

// Umask returns fsys's umask if it reports one, and 022 otherwise.
func Umask(fsys FS) fs.FileMode {
	if u, ok := fsys.(Umasker); ok {
		return u.Umask()
	}
	return 0o022
}

// Mknoder is implemented by filesystems that can make special files:
// FIFOs, unix sockets' names, character and block device nodes (mknod(2)).
type Mknoder interface {
	// Mknod makes name with the type and permission bits of mode
	// (fs.ModeNamedPipe, fs.ModeSocket, fs.ModeDevice with or without
	// fs.ModeCharDevice; no type bits: an empty regular file) and, for a
	// device, dev as the device it stands for (st_rdev, Linux's encoding).
	Mknod(name string, mode fs.FileMode, dev uint64) error
}

// Mknod makes a special file through fsys's Mknod if it is a [Mknoder],
// and fails with EPERM otherwise, as mknod(2) does on a filesystem that
// does not support the node's type.
func Mknod(fsys FS, name string, mode fs.FileMode, dev uint64) error {
	if m, ok := fsys.(Mknoder); ok {
		return m.Mknod(name, mode, dev)
	}
	return pathErr("mknod", name, syscall.EPERM)
}

// specialTypes are the file types Mknod makes besides regular files.
const specialTypes = fs.ModeNamedPipe | fs.ModeSocket | fs.ModeDevice | fs.ModeCharDevice

// Acker is implemented by filesystems that record acknowledgements: the
// moments at which the code under test told its caller that something is
// done (a reply sent, a line printed, a commit reported). Ack changes
// nothing on disk; it is logged as an operation (OpAck) like any other, so
// that it has a place in the op sequence: a crash at the point before it
// and one at the point after it leave the same disk states, but only after
// it may an invariant demand what was acknowledged (ALICE's stdout
// micro-op). [History.AcksBefore] gives the marks made before a crash
// point. [Mem] and [Injector] implement Acker.
type Acker interface {
	Ack(label string) error
}

// Ack marks an acknowledgement labelled label in fsys's log if fsys is an
// [Acker], and does nothing (returning nil) otherwise, so code under test
// can call it on any FS, [OS] included.
func Ack(fsys FS, label string) error {
	if a, ok := fsys.(Acker); ok {
		return a.Ack(label)
	}
	return nil
}

// ErrCrashed is returned by every operation at and after a simulated crash.
// It wraps no errno: code under test should treat it as fatal, and the
// harness recognises it with errors.Is.
var ErrCrashed = errors.New("faultfs: simulated crash")

// ReadFile reads the whole file name from fsys, like os.ReadFile.
func ReadFile(fsys FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// WriteFile writes data to name in place, like os.WriteFile (not atomic).
func WriteFile(fsys FS, name string, data []byte, perm fs.FileMode) error {
	f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err1 := f.Close(); err == nil {
		err = err1
	}
	return err
}

// SyncDir opens the directory dir and syncs it, making its entries durable.
func SyncDir(fsys FS, dir string) error {
	d, err := fsys.OpenFile(dir, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	err = d.Sync()
	if err1 := d.Close(); err == nil {
		err = err1
	}
	return err
}

func pathErr(op, path string, errno syscall.Errno) error {
	return &fs.PathError{Op: op, Path: path, Err: errno}
}

func linkErr(op, oldpath, newpath string, errno syscall.Errno) error {
	return &os.LinkError{Op: op, Old: oldpath, New: newpath, Err: errno}
}

// SyncFailer is implemented by files of filesystems that model what a failed
// fsync does to durability. The fault injector calls FailSync instead of
// Sync when it injects a writeback error at an fsync: the file's data
// written since its last successful sync is then lost from the durable
// view, as Linux drops dirty pages after a writeback error, while reads
// still see it ("fsyncgate"). A later Sync succeeds without bringing the
// lost data back.
//
// The writeback errors are EIO, ENOSPC and EDQUOT: the errors Linux records
// against a file's mapping when writing its dirty pages back fails
// (mapping_set_error: AS_ENOSPC for ENOSPC and EDQUOT, AS_EIO for every
// other), after which the pages are clean or discarded. Any other errno at
// an fsync, EINTR first of all, says the call itself did not complete:
// nothing was written back, the data stays pending, and a retry that
// succeeds makes it durable (PostgreSQL's pg_fsync retries on EINTR).
type SyncFailer interface {
	FailSync(err error) error
}

// isWritebackErrno reports whether an fsync failing with e means writeback
// failed and the file's unsynced data is lost (see SyncFailer).
func isWritebackErrno(e syscall.Errno) bool {
	return e == syscall.EIO || e == syscall.ENOSPC || e == syscall.EDQUOT
}
