//go:build linux

package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestPathCallsOutside: each path-changing call, made on a thread with
// the filter, is reported with the path it changes when that lies
// outside the "test's" mount (here a tmpfs, /dev/shm), and not when it
// lies inside, or when the call is bound to fail.
func TestPathCallsOutside(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the watcher enters a mount namespace: needs root")
	}
	if auditArch() == 0 {
		t.Skipf("no seccomp filter for %s", runtime.GOARCH)
	}
	in, err := os.MkdirTemp("/dev/shm", "crashcheck-test-")
	if err != nil {
		t.Skipf("no tmpfs at /dev/shm for the inside: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(in) })
	out := t.TempDir()
	if mountOf(t, in) == mountOf(t, out) {
		t.Skip("/dev/shm and the temporary directory are one mount")
	}
	// Each case runs in a fresh copy of this tree, in and out: files f
	// and g, directory sub, symlinks lin (to in/f) and lout (to out/f).
	setup := func(t *testing.T) {
		for _, d := range []string{in, out} {
			os.RemoveAll(d)
			must(t, os.MkdirAll(filepath.Join(d, "sub"), 0o755))
			must(t, os.WriteFile(filepath.Join(d, "f"), nil, 0o644))
			must(t, os.WriteFile(filepath.Join(d, "g"), nil, 0o644))
			must(t, os.Symlink(filepath.Join(in, "f"), filepath.Join(d, "lin")))
			must(t, os.Symlink(filepath.Join(out, "f"), filepath.Join(d, "lout")))
		}
	}
	O := func(name string) string { return filepath.Join(out, name) }
	I := func(name string) string { return filepath.Join(in, name) }
	dirAt := func(dir string, do func(fd int) error) func() error {
		return func() error {
			fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY, 0)
			if err != nil {
				return err
			}
			defer unix.Close(fd)
			return do(fd)
		}
	}
	ts := []unix.Timespec{{Nsec: unix.UTIME_NOW}, {Nsec: unix.UTIME_NOW}}
	for _, c := range []struct {
		name string
		call func() error
		want []string // reported paths; nil: none
	}{
		{"mkdir-out", func() error { return unix.Mkdir(O("new"), 0o755) }, []string{O("new")}},
		{"mkdir-in", func() error { return unix.Mkdir(I("new"), 0o755) }, nil},
		{"mkdir-existing", func() error { unix.Mkdir(O("sub"), 0o755); return nil }, nil},
		{"mkdir-no-parent", func() error { unix.Mkdir(O("none/new"), 0o755); return nil }, nil},
		{"mkdirat-dirfd", dirAt(out, func(fd int) error { return unix.Mkdirat(fd, "sub/new", 0o755) }), []string{O("sub/new")}},
		{"mkdirat-dirfd-in", dirAt(in, func(fd int) error { return unix.Mkdirat(fd, "new", 0o755) }), nil},
		{"mkdirat-dotdot", dirAt(I("sub"), func(fd int) error { return unix.Mkdirat(fd, "../new", 0o755) }), nil},
		{"mkdirat-dotdot-out", dirAt(I("sub"), func(fd int) error {
			rel, err := filepath.Rel(I("sub"), O("new"))
			if err != nil {
				return err
			}
			return unix.Mkdirat(fd, rel, 0o755)
		}), []string{O("new")}},
		{"mknod", func() error { return unix.Mknod(O("fifo"), unix.S_IFIFO|0o644, 0) }, []string{O("fifo")}},
		{"unlink", func() error { return unix.Unlink(O("f")) }, []string{O("f")}},
		{"unlink-missing", func() error { unix.Unlink(O("none")); return nil }, nil},
		{"unlinkat-in", func() error { return unix.Unlinkat(unix.AT_FDCWD, I("f"), 0) }, nil},
		{"rmdir", func() error { return unix.Rmdir(O("sub")) }, []string{O("sub")}},
		{"rename-out", func() error { return unix.Rename(O("f"), O("h")) }, []string{O("f"), O("h")}},
		{"rename-in", func() error { return unix.Rename(I("f"), I("h")) }, nil},
		{"renameat2-exchange", func() error {
			return unix.Renameat2(unix.AT_FDCWD, O("f"), unix.AT_FDCWD, O("g"), unix.RENAME_EXCHANGE)
		}, []string{O("f"), O("g")}},
		{"rename-missing", func() error { unix.Rename(O("none"), O("h")); return nil }, nil},
		{"link", func() error { return unix.Link(O("f"), O("h")) }, []string{O("h")}},
		{"linkat-in", func() error { return unix.Linkat(unix.AT_FDCWD, I("f"), unix.AT_FDCWD, I("h"), 0) }, nil},
		{"symlink", func() error { return unix.Symlink("anything", O("s")) }, []string{O("s")}},
		{"symlinkat-in", func() error { return unix.Symlinkat(O("f"), unix.AT_FDCWD, I("s")) }, nil},
		{"chmod", func() error { return unix.Chmod(O("f"), 0o600) }, []string{O("f")}},
		{"chmod-in", func() error { return unix.Chmod(I("f"), 0o600) }, nil},
		{"chmod-missing", func() error { unix.Chmod(O("none"), 0o600); return nil }, nil},
		// a symlink outside to a file inside: the call changes the file
		{"chmod-through-symlink-in", func() error { return unix.Chmod(O("lin"), 0o600) }, nil},
		{"chmod-through-symlink-out", func() error { return unix.Chmod(I("lout"), 0o600) }, []string{O("f")}},
		{"fchmodat-dirfd", dirAt(out, func(fd int) error { return unix.Fchmodat(fd, "g", 0o600, 0) }), []string{O("g")}},
		{"chown", func() error { return unix.Chown(O("f"), 0, 0) }, []string{O("f")}},
		{"lchown-symlink", func() error { return unix.Lchown(O("lin"), 0, 0) }, []string{O("lin")}},
		{"lchown-symlink-in", func() error { return unix.Lchown(I("lout"), 0, 0) }, nil},
		{"fchownat-nofollow", func() error { return unix.Fchownat(unix.AT_FDCWD, I("lout"), 0, 0, unix.AT_SYMLINK_NOFOLLOW) }, nil},
		{"fchownat-follow", func() error { return unix.Fchownat(unix.AT_FDCWD, I("lout"), 0, 0, 0) }, []string{O("f")}},
		{"fchownat-empty-path", dirAt(O("sub"), func(fd int) error {
			return unix.Fchownat(fd, "", 0, 0, unix.AT_EMPTY_PATH)
		}), []string{O("sub")}},
		{"fchmod-read-only-fd", func() error {
			fd, err := unix.Open(O("f"), unix.O_RDONLY, 0)
			if err != nil {
				return err
			}
			defer unix.Close(fd)
			return unix.Fchmod(fd, 0o600)
		}, []string{O("f")}},
		{"futimens-read-only-fd", func() error {
			fd, err := unix.Open(O("f"), unix.O_RDONLY, 0)
			if err != nil {
				return err
			}
			defer unix.Close(fd)
			_, _, errno := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
			if errno != 0 {
				return errno
			}
			return nil
		}, []string{O("f")}},
		{"fchmodat-null-path", func() error {
			cwd := unix.AT_FDCWD
			unix.Syscall(unix.SYS_FCHMODAT, uintptr(cwd), 0, 0o600) // EFAULT
			return nil
		}, nil},
		{"truncate", func() error { return unix.Truncate(O("f"), 10) }, []string{O("f")}},
		{"utimensat", func() error { return unix.UtimesNanoAt(unix.AT_FDCWD, O("f"), ts, 0) }, []string{O("f")}},
		{"utimensat-nofollow-in", func() error {
			return unix.UtimesNanoAt(unix.AT_FDCWD, I("lout"), ts, unix.AT_SYMLINK_NOFOLLOW)
		}, nil},
		{"setxattr", func() error { return unix.Setxattr(O("f"), "user.crashcheck", []byte("x"), 0) }, []string{O("f")}},
		{"removexattr-missing-file", func() error { unix.Removexattr(O("none"), "user.crashcheck"); return nil }, nil},
		// /dev, /proc and /sys are not the host's files
		{"dev", func() error { unix.Chmod("/dev/null", 0o666); return nil }, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			setup(t)
			got, err := pathCallsSeen([]int{mountOf(t, in)}, c.call)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("reported %q, want %q", got, c.want)
			}
		})
	}
}

// pathCallsSeen makes call on a thread with the filter, answered by a
// watcher for which mntIDs are the test's mounts, and returns what it
// found.
func pathCallsSeen(mntIDs []int, call func() error) ([]string, error) {
	type result struct {
		paths []string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		// Never unlocked: a filter cannot be taken off the thread.
		runtime.LockOSThread()
		fd, err := installFilter(filteredCalls(false, true))
		if err != nil {
			done <- result{err: err}
			return
		}
		w, err := watchCalls(os.Getpid(), fd, mntIDs, nil)
		unix.Close(fd)
		if err != nil {
			done <- result{err: err}
			return
		}
		err = call()
		w.close()
		done <- result{w.outside.list(), err}
	}()
	r := <-done
	return r.paths, r.err
}

func mountOf(t *testing.T, p string) int {
	var stx unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, p, 0, unix.STATX_MNT_ID, &stx); err != nil {
		t.Fatal(err)
	}
	return int(stx.Mnt_id)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
