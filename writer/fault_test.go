package writer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// traceFS passes every call to faultfs.OS, records it as "kind name", and
// fails the calls of kind failKind (or exactly "kind name") with failErr. Short, if set, makes every
// write accept at most that many bytes.
type traceFS struct {
	faultfs.FS
	ops      []string
	failKind string
	failErr  error
	short    int
}

func newTraceFS() *traceFS { return &traceFS{FS: faultfs.OS{}} }

func (t *traceFS) do(kind, name string) error {
	t.ops = append(t.ops, kind+" "+filepath.Base(name))
	if kind == t.failKind || kind+" "+filepath.Base(name) == t.failKind {
		return t.failErr
	}
	return nil
}

func (t *traceFS) Umask() fs.FileMode { return faultfs.Umask(faultfs.OS{}) }

func (t *traceFS) OpenFile(name string, flag int, perm fs.FileMode) (faultfs.File, error) {
	kind := "open"
	if flag&os.O_CREATE != 0 {
		kind = "create"
	}
	if err := t.do(kind, name); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f, err := t.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return &traceFile{File: f, fs: t, dir: fi.IsDir()}, nil
}

func (t *traceFS) Lstat(name string) (fs.FileInfo, error) {
	if err := t.do("lstat", name); err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	return t.FS.Lstat(name)
}

func (t *traceFS) Readlink(name string) (string, error) {
	if err := t.do("readlink", name); err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return t.FS.Readlink(name)
}

func (t *traceFS) Rename(oldpath, newpath string) error {
	if err := t.do("rename", newpath); err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return t.FS.Rename(oldpath, newpath)
}

func (t *traceFS) Link(oldpath, newpath string) error {
	if err := t.do("link", oldpath); err != nil {
		return &os.LinkError{Op: "link", Old: oldpath, New: newpath, Err: err}
	}
	return t.FS.Link(oldpath, newpath)
}

func (t *traceFS) Remove(name string) error {
	if err := t.do("remove", name); err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	return t.FS.Remove(name)
}

type traceFile struct {
	faultfs.File
	fs  *traceFS
	dir bool
}

func (f *traceFile) Write(p []byte) (int, error) {
	if err := f.fs.do("write", f.Name()); err != nil {
		return 0, &fs.PathError{Op: "write", Path: f.Name(), Err: err}
	}
	if f.fs.short > 0 && len(p) > f.fs.short {
		p = p[:f.fs.short]
	}
	return f.File.Write(p)
}

func (f *traceFile) Sync() error {
	kind := "fsync"
	if f.dir {
		kind = "fsyncdir"
	}
	if err := f.fs.do(kind, f.Name()); err != nil {
		return &fs.PathError{Op: "sync", Path: f.Name(), Err: err}
	}
	return f.File.Sync()
}

func (f *traceFile) Chmod(mode fs.FileMode) error {
	if err := f.fs.do("fchmod", f.Name()); err != nil {
		return &fs.PathError{Op: "chmod", Path: f.Name(), Err: err}
	}
	return f.File.Chmod(mode)
}

func (f *traceFile) Chown(uid, gid int) error {
	if err := f.fs.do("fchown", f.Name()); err != nil {
		return &fs.PathError{Op: "chown", Path: f.Name(), Err: err}
	}
	return f.File.Chown(uid, gid)
}

func (f *traceFile) Close() error {
	err := f.File.Close()
	if ferr := f.fs.do("close", f.Name()); ferr != nil {
		return &fs.PathError{Op: "close", Path: f.Name(), Err: ferr}
	}
	return err
}

// normalise replaces the random part of temporary names by TMP.
func normalise(ops []string) string {
	var c config
	out := make([]string, len(ops))
	for i, op := range ops {
		kind, name, _ := strings.Cut(op, " ")
		if c.isTempName(name) {
			name = "TMP"
		}
		out[i] = kind + " " + name
	}
	return strings.Join(out, "\n")
}

// TestOpSequence pins the calls a replace makes: the hot path of a durable
// replace is one lstat, the writes, fchmod, two fsyncs and the rename.
func TestOpSequence(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "t")
	dirBase := filepath.Base(dir)
	for _, tc := range []struct {
		name  string
		opts  []Option
		setup bool
		want  []string
	}{
		{"durable", nil, true, []string{
			"lstat t", "create TMP", "write TMP", "lstat t", "lstat TMP", "fchmod TMP", "fsync TMP", "close TMP",
			"rename t", "open " + dirBase, "fsyncdir " + dirBase, "close " + dirBase}},
		{"file-synced", []Option{WithDurability(FileSynced)}, true, []string{
			"lstat t", "create TMP", "write TMP", "lstat t", "lstat TMP", "fchmod TMP", "fsync TMP", "close TMP", "rename t"}},
		{"no-sync", []Option{WithDurability(NoSync)}, true, []string{
			"lstat t", "create TMP", "write TMP", "lstat t", "lstat TMP", "fchmod TMP", "close TMP", "rename t"}},
		{"backup", []Option{WithBackup("~")}, true, []string{
			"lstat t", "create TMP", "write TMP", "lstat t", "lstat TMP", "fchmod TMP", "fsync TMP", "close TMP",
			"link t", "rename t~", "rename t", "open " + dirBase, "fsyncdir " + dirBase, "close " + dirBase}},
		{"new file", nil, false, []string{
			"lstat t", "create TMP", "write TMP", "lstat t", "fchmod TMP", "fsync TMP", "close TMP",
			"rename t", "open " + dirBase, "fsyncdir " + dirBase, "close " + dirBase}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(name)
			if tc.setup {
				mustWrite(t, name, "old", 0o644)
			}
			tfs := newTraceFS()
			if err := WriteFile(name, []byte("new"), 0o644, append(tc.opts, WithFS(tfs))...); err != nil {
				t.Fatal(err)
			}
			if got, want := normalise(tfs.ops), strings.Join(tc.want, "\n"); got != want {
				t.Errorf("ops:\n%s\nwant:\n%s", got, want)
			}
			wantContent(t, name, "new")
		})
	}
}

// TestFailureBeforeRename injects an errno at each step before the rename:
// the error names the target, wraps the errno, says the target is
// unchanged, and the temporary file is gone (or kept and named).
func TestFailureBeforeRename(t *testing.T) {
	for _, kind := range []string{"create", "write", "fchmod", "fsync", "close", "link", "rename t.bak", "rename t"} {
		for _, errno := range []syscall.Errno{syscall.EIO, syscall.ENOSPC} {
			for _, keep := range []bool{false, true} {
				t.Run(kind+"/"+errno.Error()+map[bool]string{true: "/keep"}[keep], func(t *testing.T) {
					dir := t.TempDir()
					name := filepath.Join(dir, "t")
					mustWrite(t, name, "old", 0o644)
					tfs := newTraceFS()
					tfs.failKind, tfs.failErr = kind, errno
					opts := []Option{WithFS(tfs), WithBackup(".bak")}
					if keep {
						opts = append(opts, WithKeepTemp())
					}
					err := WriteFile(name, []byte("new content"), 0o644, opts...)
					var pe *fs.PathError
					if !errors.As(err, &pe) || pe.Path != name || !errors.Is(err, errno) {
						t.Fatalf("got %v, want a *fs.PathError for %s wrapping %v", err, name, errno)
					}
					if errors.Is(err, ErrNotDurable) {
						t.Errorf("%v matches ErrNotDurable before the rename", err)
					}
					wantContent(t, name, "old")
					wantMode(t, name, 0o644)
					temps := tempFiles(t, dir)
					msg := err.Error()
					switch {
					case keep && kind != "create":
						if len(temps) != 1 || !strings.Contains(msg, "temp file kept at "+temps[0]) {
							t.Errorf("temps %q, message %q: want one kept temp file, named", temps, msg)
						}
					default:
						if len(temps) != 0 {
							t.Errorf("temp files left: %q", temps)
						}
						if kind != "create" && !strings.Contains(msg, "target unchanged; temp file removed") {
							t.Errorf("message %q does not say the target is unchanged and the temp removed", msg)
						}
					}
					if !strings.Contains(msg, "target unchanged") {
						t.Errorf("message %q does not say the target is unchanged", msg)
					}
					if kind == "rename t" {
						wantContent(t, name+".bak", "old")
					} else if _, err := os.Lstat(name + ".bak"); err == nil {
						t.Errorf("backup made although the replace failed before it")
					}
					if n := strings.Count(strings.Join(tfs.ops, "\n"), "fsync "); n > 1 {
						t.Errorf("%d file fsyncs: a failed fsync was retried", n)
					}
				})
			}
		}
	}
}

func TestDirectoryFsyncFailure(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "t")
	mustWrite(t, name, "old", 0o644)
	tfs := newTraceFS()
	tfs.failKind, tfs.failErr = "fsyncdir", syscall.EIO
	err := WriteFile(name, []byte("new"), 0o644, WithFS(tfs))
	if !errors.Is(err, ErrNotDurable) || !errors.Is(err, syscall.EIO) {
		t.Fatalf("got %v, want ErrNotDurable wrapping EIO", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != name {
		t.Fatalf("got %#v, want a *fs.PathError for %s", err, name)
	}
	if !strings.Contains(err.Error(), "new content in place but not yet durable") {
		t.Errorf("message %q should say the content is in place but not durable", err)
	}
	wantContent(t, name, "new")
	wantEntries(t, dir, "t")
	if n := strings.Count(strings.Join(tfs.ops, "\n"), "fsyncdir "); n != 1 {
		t.Errorf("%d directory fsyncs, want exactly one (never retried)", n)
	}
}

func TestShortWritesContinue(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "t")
	tfs := newTraceFS()
	tfs.short = 7
	content := strings.Repeat("0123456789", 10)
	if err := WriteFile(name, []byte(content), 0o644, WithFS(tfs)); err != nil {
		t.Fatal(err)
	}
	wantContent(t, name, content)
	if n := strings.Count(strings.Join(tfs.ops, "\n"), "write "); n != 15 {
		t.Errorf("%d writes of at most 7 bytes for 100 bytes, want 15", n)
	}
}
