//go:build linux

package fuse

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
)

// requireFUSE skips the test, saying why, unless this process can mount.
func requireFUSE(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: mounting FUSE with mount(2) needs root")
	}
	if err := Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
}

// mount serves fsys at a fresh directory, unmounted when the test ends.
func mount(t testing.TB, fsys faultfs.FS, opts Options) *Server {
	t.Helper()
	requireFUSE(t)
	dir := t.TempDir()
	s, err := Mount(dir, fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	return s
}

// hostDir opens a fresh host directory as an FS.
func hostDir(t testing.TB) (*faultfs.Root, string) {
	t.Helper()
	dir := t.TempDir()
	r, err := faultfs.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, dir
}

// run runs a program with its working directory at dir and returns its
// standard output; it fails the test if the program fails.
func run(t testing.TB, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout: %s\nstderr: %s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	if stderr.Len() > 0 {
		t.Logf("%s: stderr: %s", name, stderr.String())
	}
	return stdout.String()
}

func requireExec(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("skipping: %s not installed", name)
	}
}

// recorder is an FS that logs every call that can change the tree, with
// its arguments, in the order it arrives, and passes on the optional
// capabilities of the FS it wraps.
type recorder struct {
	faultfs.FS
	dir string

	mu  sync.Mutex
	ops []string
}

func (r *recorder) log(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, fmt.Sprintf(format, args...))
}

// wait waits up to a second for n ops to be logged and returns them all,
// forgetting them: the kernel sends RELEASE, which closes the FS's file,
// after close(2) has returned, and a close logged at release (a write after
// the last FLUSH) comes late.
func (r *recorder) wait(n int) []string {
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		r.mu.Lock()
		k := len(r.ops)
		r.mu.Unlock()
		if k >= n {
			break
		}
	}
	return r.take()
}

// take returns the ops logged so far and forgets them.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := r.ops
	r.ops = nil
	return ops
}

func (r *recorder) OpenFile(name string, flag int, perm fs.FileMode) (faultfs.File, error) {
	f, err := r.FS.OpenFile(name, flag, perm)
	if flag&os.O_CREATE != 0 {
		r.log("open %s %s %#o = %s", name, faultfs.FlagString(flag), uint32(perm), faultfs.ErrString(err))
	} else if flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		r.log("open %s %s = %s", name, faultfs.FlagString(flag), faultfs.ErrString(err))
	}
	if err != nil {
		return nil, err
	}
	quiet := flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE) == 0
	return &recFile{File: f, r: r, name: name, quiet: quiet, owed: !quiet}, nil
}

func (r *recorder) Rename(oldpath, newpath string) error {
	err := r.FS.Rename(oldpath, newpath)
	r.log("rename %s %s = %s", oldpath, newpath, faultfs.ErrString(err))
	return err
}

func (r *recorder) Remove(name string) error {
	err := r.FS.Remove(name)
	r.log("remove %s = %s", name, faultfs.ErrString(err))
	return err
}

func (r *recorder) Mkdir(name string, perm fs.FileMode) error {
	err := r.FS.Mkdir(name, perm)
	r.log("mkdir %s %#o = %s", name, uint32(perm), faultfs.ErrString(err))
	return err
}

func (r *recorder) Symlink(oldname, newname string) error {
	err := r.FS.Symlink(oldname, newname)
	r.log("symlink %s %s = %s", oldname, newname, faultfs.ErrString(err))
	return err
}

func (r *recorder) Link(oldname, newname string) error {
	err := r.FS.Link(oldname, newname)
	r.log("link %s %s = %s", oldname, newname, faultfs.ErrString(err))
	return err
}

func (r *recorder) Chmod(name string, mode fs.FileMode) error {
	err := r.FS.Chmod(name, mode)
	r.log("chmod %s %#o = %s", name, uint32(mode), faultfs.ErrString(err))
	return err
}

func (r *recorder) Chown(name string, uid, gid int) error {
	err := r.FS.Chown(name, uid, gid)
	r.log("chown %s %d %d = %s", name, uid, gid, faultfs.ErrString(err))
	return err
}

func (r *recorder) Lchown(name string, uid, gid int) error {
	err := faultfs.Lchown(r.FS, name, uid, gid)
	r.log("lchown %s %d %d = %s", name, uid, gid, faultfs.ErrString(err))
	return err
}

func (r *recorder) Chtimes(name string, atime, mtime time.Time) error {
	err := faultfs.Chtimes(r.FS, name, atime, mtime)
	r.log("chtimes %s %d = %s", name, mtime.Unix(), faultfs.ErrString(err))
	return err
}

func (r *recorder) Lchtimes(name string, atime, mtime time.Time) error {
	err := faultfs.Lchtimes(r.FS, name, atime, mtime)
	r.log("lchtimes %s %d = %s", name, mtime.Unix(), faultfs.ErrString(err))
	return err
}

func (r *recorder) RenameNoReplace(oldpath, newpath string) error {
	err := faultfs.RenameNoReplace(r.FS, oldpath, newpath)
	r.log("rename %s %s noreplace = %s", oldpath, newpath, faultfs.ErrString(err))
	return err
}

// recFile logs the close of a file opened for writing once, at the first
// CloseDescriptor (FLUSH) or Close (RELEASE), and again only after a write
// or truncation since: the rule of faultfs.DescriptorCloser.
type recFile struct {
	faultfs.File
	r     *recorder
	name  string
	quiet bool // opened read-only: its close is not logged
	owed  bool // a close is to be logged
}

var _ faultfs.DescriptorCloser = (*recFile)(nil)

func (f *recFile) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.File.WriteAt(p, off)
	f.owed = true
	f.r.log("write %s off=%d len=%d = %s", f.name, off, len(p), faultfs.ErrString(err))
	return n, err
}

func (f *recFile) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	f.owed = true
	f.r.log("write %s len=%d = %s", f.name, len(p), faultfs.ErrString(err))
	return n, err
}

func (f *recFile) Sync() error {
	err := f.File.Sync()
	f.r.log("fsync %s = %s", f.name, faultfs.ErrString(err))
	return err
}

func (f *recFile) Datasync() error {
	err := faultfs.Datasync(f.File)
	f.r.log("fdatasync %s = %s", f.name, faultfs.ErrString(err))
	return err
}

func (f *recFile) Truncate(size int64) error {
	err := f.File.Truncate(size)
	f.owed = true
	f.r.log("truncate %s size=%d = %s", f.name, size, faultfs.ErrString(err))
	return err
}

func (f *recFile) Chmod(mode fs.FileMode) error {
	err := f.File.Chmod(mode)
	f.r.log("fchmod %s %#o = %s", f.name, uint32(mode), faultfs.ErrString(err))
	return err
}

func (f *recFile) Chown(uid, gid int) error {
	err := f.File.Chown(uid, gid)
	f.r.log("fchown %s %d %d = %s", f.name, uid, gid, faultfs.ErrString(err))
	return err
}

func (f *recFile) Close() error {
	err := f.File.Close()
	f.logClose(err)
	return err
}

func (f *recFile) CloseDescriptor() error {
	f.logClose(nil)
	return nil
}

func (f *recFile) logClose(err error) {
	if f.owed {
		f.owed = false
		f.r.log("close %s = %s", f.name, faultfs.ErrString(err))
	}
}
