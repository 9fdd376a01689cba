package main

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFullDiskMessage: on a full filesystem atomicwrite exits 1 with one
// line naming the file and the cause, and the file is unchanged.
func TestFullDiskMessage(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root; not root")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	status := run([]string{file}, bytes.NewReader(make([]byte, 256<<10)), &bytes.Buffer{}, &stderr)
	want := "atomicwrite: " + file + ": no space left on device; " + file + " is unchanged\n"
	if status != 1 || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", status, stderr.String(), want)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "old" {
		t.Errorf("file holds %q (%v), want old", b, err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("directory holds %d entries, want only the file", len(es))
	}

	// Read-only: the same, with the cause.
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount read-only: %v", err)
	}
	stderr.Reset()
	status = run([]string{file}, bytes.NewReader([]byte("new")), &bytes.Buffer{}, &stderr)
	want = "atomicwrite: " + file + ": read-only file system; " + file + " is unchanged\n"
	if status != 1 || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", status, stderr.String(), want)
	}
}
