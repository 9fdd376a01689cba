//go:build linux

package faultfs

import (
	"syscall"
	"testing"
)

func nlinkOf(t *testing.T, m *Mem, name string) uint64 {
	t.Helper()
	fi, err := m.Lstat(name)
	if err != nil {
		t.Fatal(err)
	}
	return uint64(fi.Sys().(*syscall.Stat_t).Nlink)
}

// TestMemLinkCounts: hard links count, a directory has 2 plus one per
// subdirectory, and a file unlinked while open reports 0 (SQLite checks).
func TestMemLinkCounts(t *testing.T) {
	m := NewMem()
	WriteFile(m, "f", []byte("x"), 0o644)
	m.Link("f", "g")
	m.Link("f", "h")
	if n := nlinkOf(t, m, "f"); n != 3 {
		t.Errorf("file with three names: nlink %d", n)
	}
	m.MkdirAll("d/a", 0o755)
	m.Mkdir("d/b", 0o755)
	WriteFile(m, "d/file", nil, 0o644)
	if n := nlinkOf(t, m, "d"); n != 4 {
		t.Errorf("directory with two subdirectories: nlink %d, want 4", n)
	}
	m.Rename("d/b", "b")
	if n := nlinkOf(t, m, "d"); n != 3 {
		t.Errorf("after moving one subdirectory out: nlink %d, want 3", n)
	}
	f, _ := m.Open("f")
	defer f.Close()
	for _, name := range []string{"f", "g", "h"} {
		m.Remove(name)
	}
	fi, _ := f.Stat()
	if n := fi.Sys().(*syscall.Stat_t).Nlink; n != 0 {
		t.Errorf("open file after its last unlink: nlink %d, want 0", n)
	}
}
