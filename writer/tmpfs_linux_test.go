package writer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// smallTmpfs mounts a 64 KiB tmpfs on a fresh directory and unmounts it
// when the test ends.
func smallTmpfs(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root; not root")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0755"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

func TestFullDisk(t *testing.T) {
	dir := smallTmpfs(t)
	name := filepath.Join(dir, "f")
	old := strings.Repeat("old content ", 1000) // 12 KB
	mustWrite(t, name, old, 0o644)
	big := bytes.Repeat([]byte("x"), 128<<10)
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"WriteFile", func() error { return WriteFile(name, big, 0o644) }},
		{"Create+ReadFrom", func() error {
			f, err := Create(name, 0o644)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := f.ReadFrom(bytes.NewReader(big)); err != nil {
				return err
			}
			return f.Commit()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("got %v, want ENOSPC", err)
			}
			if !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "target unchanged; temp file removed") {
				t.Errorf("message %q", err)
			}
			wantContent(t, name, old)
			wantEntries(t, dir, "f")
		})
	}
	// The space was given back: a replace that fits succeeds.
	if err := WriteFile(name, []byte("fits"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantContent(t, name, "fits")
}

func TestReadOnlyFilesystem(t *testing.T) {
	dir := smallTmpfs(t)
	name := filepath.Join(dir, "f")
	mustWrite(t, name, "old", 0o644)
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount the tmpfs read-only: %v", err)
	}
	err := WriteFile(name, []byte("new"), 0o644)
	if !errors.Is(err, syscall.EROFS) {
		t.Fatalf("got %v, want EROFS", err)
	}
	if !strings.Contains(err.Error(), "read-only file system") || !strings.Contains(err.Error(), "target unchanged") {
		t.Errorf("message %q", err)
	}
	wantContent(t, name, "old")
	wantEntries(t, dir, "f")
}
