//go:build unix

package writer

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestRefusedTargets: what is not a regular file is refused with a
// *fs.PathError naming it, before anything is created.
func TestRefusedTargets(t *testing.T) {
	for _, tc := range []struct {
		kind  string
		make  func(t *testing.T, path string) string // returns the name to write
		errno syscall.Errno
		says  string
	}{
		{"directory", func(t *testing.T, p string) string {
			must(t, os.Mkdir(p, 0o755))
			return p
		}, syscall.EISDIR, "directory"},
		{"trailing slash", func(t *testing.T, p string) string {
			must(t, os.Mkdir(p, 0o755))
			return p + "/"
		}, syscall.EISDIR, "directory"},
		{"fifo", func(t *testing.T, p string) string {
			must(t, syscall.Mkfifo(p, 0o644))
			return p
		}, syscall.EINVAL, "FIFO"},
		{"socket", func(t *testing.T, p string) string {
			l, err := net.Listen("unix", p)
			must(t, err)
			t.Cleanup(func() { l.Close() })
			return p
		}, syscall.EINVAL, "socket"},
		{"device", func(t *testing.T, p string) string {
			if os.Geteuid() == 0 {
				// A /dev/null of our own: a bug cannot touch /dev.
				must(t, syscall.Mknod(p, syscall.S_IFCHR|0o666, int((1<<8)|3)))
				return p
			}
			must(t, os.Symlink("/dev/null", p))
			return p
		}, syscall.EINVAL, "character device"},
		{"link to directory", func(t *testing.T, p string) string {
			must(t, os.Mkdir(p+".d", 0o755))
			must(t, os.Symlink(filepath.Base(p)+".d", p))
			return p
		}, syscall.EISDIR, "directory"},
		{"missing parent", func(t *testing.T, p string) string {
			return filepath.Join(p, "child")
		}, syscall.ENOENT, "does not exist"},
		{"parent is a file", func(t *testing.T, p string) string {
			must(t, os.WriteFile(p, nil, 0o644))
			return filepath.Join(p, "child")
		}, syscall.ENOTDIR, "target unchanged"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			// A short directory: socket paths are limited to 108 bytes.
			dir, err := os.MkdirTemp("", "wr")
			must(t, err)
			t.Cleanup(func() { os.RemoveAll(dir) })
			name := tc.make(t, filepath.Join(dir, "t"))
			before := entries(t, dir)
			err = WriteFile(name, []byte("x"), 0o644)
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != name || !errors.Is(err, tc.errno) {
				t.Fatalf("got %v, want a *fs.PathError for %s wrapping %v", err, name, tc.errno)
			}
			if tc.errno == syscall.EINVAL && !errors.Is(err, ErrNotRegular) {
				t.Errorf("%v does not match ErrNotRegular", err)
			}
			if !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "target unchanged") {
				t.Errorf("message %q should mention %q and say the target is unchanged", err, tc.says)
			}
			if after := entries(t, dir); after != before {
				t.Errorf("directory changed from %s to %s", before, after)
			}
		})
	}
}

func entries(t *testing.T, dir string) string {
	t.Helper()
	es, err := os.ReadDir(dir)
	must(t, err)
	var s []string
	for _, e := range es {
		s = append(s, e.Name()+":"+e.Type().String())
	}
	return strings.Join(s, " ")
}
