//go:build linux

package fuse

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"golang.org/x/sys/unix"
)

// backends are the trees the program tests run on.
func backends(t *testing.T) map[string]func(t *testing.T) faultfs.FS {
	return map[string]func(t *testing.T) faultfs.FS{
		"os": func(t *testing.T) faultfs.FS {
			root, dir := hostDir(t)
			return &recorder{FS: root, dir: dir}
		},
		"mem": func(t *testing.T) faultfs.FS { return faultfs.NewMem(faultfs.WithUmask(0)) },
		// The injector must keep every capability of the Mem it wraps.
		"injector": func(t *testing.T) faultfs.FS {
			return faultfs.NewInjector(faultfs.NewMem(faultfs.WithUmask(0)))
		},
	}
}

func forEachBackend(t *testing.T, test func(t *testing.T, fsys faultfs.FS, s *Server)) {
	for name, mk := range backends(t) {
		t.Run(name, func(t *testing.T) {
			requireFUSE(t)
			fsys := mk(t)
			test(t, fsys, mount(t, fsys, Options{}))
		})
	}
}

func readFS(t *testing.T, fsys faultfs.FS, name string) string {
	t.Helper()
	b, err := faultfs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSedInPlaceKeepsMode(t *testing.T) {
	requireExec(t, "sed")
	forEachBackend(t, func(t *testing.T, fsys faultfs.FS, s *Server) {
		if err := faultfs.WriteFile(fsys, "conf", []byte("colour=red\n"), 0o640); err != nil {
			t.Fatal(err)
		}
		if err := fsys.Chmod("conf", 0o640); err != nil {
			t.Fatal(err)
		}
		run(t, s.Dir(), "sed", "-i", "s/red/blue/", "conf")
		if got := readFS(t, fsys, "conf"); got != "colour=blue\n" {
			t.Errorf("conf holds %q", got)
		}
		fi, err := fsys.Stat("conf")
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o640 {
			t.Errorf("sed -i left mode %v, want -rw-r-----", fi.Mode())
		}
	})
}

func TestPythonDurableReplace(t *testing.T) {
	requireExec(t, "python3")
	forEachBackend(t, func(t *testing.T, fsys faultfs.FS, s *Server) {
		if err := faultfs.WriteFile(fsys, "f", []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, s.Dir(), "python3", "-c", `
import os
with open("f.tmp", "wb") as f:
    f.write(b"new")
    f.flush()
    os.fsync(f.fileno())
os.replace("f.tmp", "f")
d = os.open(".", os.O_RDONLY)
os.fsync(d)
os.close(d)
`)
		if got := readFS(t, fsys, "f"); got != "new" {
			t.Errorf("f holds %q", got)
		}
		if _, err := fsys.Lstat("f.tmp"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("f.tmp left behind: %v", err)
		}
	})
}

func TestSQLite(t *testing.T) {
	requireExec(t, "sqlite3")
	for _, mode := range []string{"delete", "wal"} {
		t.Run(mode, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, fsys faultfs.FS, s *Server) {
				run(t, s.Dir(), "sqlite3", "db", "pragma journal_mode="+mode+"; create table t(x); insert into t values (42);")
				if got := run(t, s.Dir(), "sqlite3", "db", "select x from t;"); got != "42\n" {
					t.Errorf("select gave %q", got)
				}
				if _, err := fsys.Lstat("db"); err != nil {
					t.Errorf("db not in the FS: %v", err)
				}
			})
		})
	}
}

func TestCopyFallsBackToWrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fsys faultfs.FS, s *Server) {
		data := strings.Repeat("0123456789abcdef", 10000)
		if err := faultfs.WriteFile(fsys, "a", []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, s.Dir(), "cp", "a", "b")
		run(t, s.Dir(), "install", "-m", "0600", "a", "c")
		if readFS(t, fsys, "b") != data || readFS(t, fsys, "c") != data {
			t.Error("copies differ from the original")
		}
		if fi, err := fsys.Stat("c"); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("install -m 0600 gave %v, %v", fi.Mode(), err)
		}
	})
}

func TestUnlinkedOpenFileKeepsWorking(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fsys faultfs.FS, s *Server) {
		name := filepath.Join(s.Dir(), "f")
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := os.Remove(name); err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString("still here"); err != nil {
			t.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(5); err != nil {
			t.Fatal(err)
		}
		fi, err := f.Stat()
		if err != nil || fi.Size() != 5 {
			t.Fatalf("fstat after unlink: %v, %v", fi, err)
		}
		b := make([]byte, 10)
		n, _ := f.ReadAt(b, 0)
		if string(b[:n]) != "still" {
			t.Errorf("read back %q", b[:n])
		}
		if _, err := os.Stat(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("name still resolves: %v", err)
		}
	})
}

func TestLinksAndAttributes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fsys faultfs.FS, s *Server) {
		at := func(name string) string { return filepath.Join(s.Dir(), name) }
		if err := os.WriteFile(at("a"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(at("a"), at("b")); err != nil {
			t.Fatal(err)
		}
		var sa, sb unix.Stat_t
		if err := unix.Stat(at("a"), &sa); err != nil {
			t.Fatal(err)
		}
		if err := unix.Stat(at("b"), &sb); err != nil {
			t.Fatal(err)
		}
		if sa.Ino != sb.Ino || sa.Nlink != 2 {
			t.Errorf("hard links: ino %d and %d, nlink %d", sa.Ino, sb.Ino, sa.Nlink)
		}
		if err := os.Symlink("a", at("l")); err != nil {
			t.Fatal(err)
		}
		if target, err := os.Readlink(at("l")); err != nil || target != "a" {
			t.Errorf("readlink: %q, %v", target, err)
		}
		if err := os.Chmod(at("a"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(at("a"), 12, 34); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(at("l"), 56, 78); err != nil {
			t.Fatal(err)
		}
		mtime := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
		if err := os.Chtimes(at("a"), mtime, mtime); err != nil {
			t.Fatal(err)
		}
		lmtime := time.Date(2002, 2, 3, 4, 5, 6, 0, time.UTC)
		ts := []unix.Timespec{unix.NsecToTimespec(lmtime.UnixNano()), unix.NsecToTimespec(lmtime.UnixNano())}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, at("l"), ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			t.Fatalf("utimensat(AT_SYMLINK_NOFOLLOW): %v", err)
		}
		fi, err := fsys.Stat("a")
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().Perm() != 0o600 || st.Uid != 12 || st.Gid != 34 || !fi.ModTime().Equal(mtime) {
			t.Errorf("a: mode %v uid %d gid %d mtime %v", fi.Mode(), st.Uid, st.Gid, fi.ModTime())
		}
		li, err := fsys.Lstat("l")
		if err != nil {
			t.Fatal(err)
		}
		if lst := li.Sys().(*syscall.Stat_t); lst.Uid != 56 || lst.Gid != 78 {
			t.Errorf("lchown: uid %d gid %d", lst.Uid, lst.Gid)
		}
		if !li.ModTime().Equal(lmtime) {
			t.Errorf("utimensat on the link: its mtime is %v, want %v", li.ModTime(), lmtime)
		}
		if err := os.MkdirAll(at("d/e"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(at("d"), at("d2")); err != nil {
			t.Fatal(err)
		}
		if fi, err := fsys.Stat("d2/e"); err != nil || !fi.IsDir() {
			t.Errorf("d2/e after rename: %v, %v", fi, err)
		}
		ents, err := os.ReadDir(s.Dir())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		if got := strings.Join(names, " "); got != "a b d2 l" {
			t.Errorf("readdir: %s", got)
		}
	})
}

func TestRefusedLikeAFilesystemWithout(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fsys faultfs.FS, s *Server) {
		at := func(name string) string { return filepath.Join(s.Dir(), name) }
		for _, n := range []string{"a", "b"} {
			if err := os.WriteFile(at(n), []byte(n), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			name string
			err  error
			want syscall.Errno
		}{
			{"renameat2 NOREPLACE onto existing", unix.Renameat2(unix.AT_FDCWD, at("a"), unix.AT_FDCWD, at("b"), unix.RENAME_NOREPLACE), syscall.EEXIST},
			{"renameat2 EXCHANGE", unix.Renameat2(unix.AT_FDCWD, at("a"), unix.AT_FDCWD, at("b"), unix.RENAME_EXCHANGE), syscall.EINVAL},
			{"renameat2 WHITEOUT", unix.Renameat2(unix.AT_FDCWD, at("a"), unix.AT_FDCWD, at("c"), unix.RENAME_WHITEOUT), syscall.EINVAL},
			{"setxattr posix_acl_access", unix.Setxattr(at("a"), "system.posix_acl_access", []byte{2, 0, 0, 0}, 0), syscall.EOPNOTSUPP},
			{"setxattr user", unix.Setxattr(at("a"), "user.x", []byte("y"), 0), syscall.EOPNOTSUPP},
			{"getxattr security.capability", func() error {
				_, err := unix.Getxattr(at("a"), "security.capability", make([]byte, 64))
				return err
			}(), syscall.ENODATA},
		}
		// mknod: Mem (and an Injector over it) makes FIFOs; an FS without
		// faultfs.Mknoder (Root) refuses it as vfat does.
		wantFifo := error(nil)
		if _, ok := fsys.(*recorder); ok {
			wantFifo = syscall.EPERM
		}
		if err := unix.Mkfifo(at("fifo"), 0o644); err != wantFifo {
			t.Errorf("mkfifo: got %v, want %v", err, wantFifo)
		}
		for _, c := range cases {
			if !errors.Is(c.err, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, c.err, c.want)
			}
		}
		if err := unix.Renameat2(unix.AT_FDCWD, at("a"), unix.AT_FDCWD, at("c"), unix.RENAME_NOREPLACE); err != nil {
			t.Errorf("renameat2 NOREPLACE onto an absent name: %v", err)
		}
		if got := readFS(t, fsys, "c"); got != "a" {
			t.Errorf("c holds %q", got)
		}
		if got := readFS(t, fsys, "b"); got != "b" {
			t.Errorf("b holds %q after refused renames", got)
		}
	})
}
