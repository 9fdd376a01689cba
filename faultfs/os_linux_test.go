package faultfs

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestRealCapabilities: OS and Root have the optional capabilities on
// Linux, with the semantics of the system calls behind them.
func TestRealCapabilities(t *testing.T) {
	dir := t.TempDir()
	root, err := OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, tc := range []struct {
		name string
		fsys FS
		path func(string) string
	}{
		{"OS", OS{}, func(n string) string { return filepath.Join(dir, n) }},
		{"Root", root, func(n string) string { return n }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.path
			for _, n := range []string{"a", "b"} {
				if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			os.Remove(filepath.Join(dir, "c"))
			os.Remove(filepath.Join(dir, "l"))
			if err := RenameNoReplace(tc.fsys, p("a"), p("b")); !errors.Is(err, syscall.EEXIST) {
				t.Errorf("RenameNoReplace onto an existing name: %v, want EEXIST", err)
			}
			if err := RenameNoReplace(tc.fsys, p("a"), p("c")); err != nil {
				t.Errorf("RenameNoReplace onto a new name: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "c")); err != nil {
				t.Errorf("after the rename: %v", err)
			}
			if err := os.Symlink("b", filepath.Join(dir, "l")); err != nil {
				t.Fatal(err)
			}
			when := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
			if err := Lchtimes(tc.fsys, p("l"), when, when); err != nil {
				t.Fatalf("Lchtimes: %v", err)
			}
			if fi, _ := os.Lstat(filepath.Join(dir, "l")); !fi.ModTime().Equal(when) {
				t.Errorf("link mtime %v, want %v", fi.ModTime(), when)
			}
			if fi, _ := os.Stat(filepath.Join(dir, "b")); fi.ModTime().Equal(when) {
				t.Errorf("Lchtimes changed the target")
			}
			if err := Chtimes(tc.fsys, p("l"), time.Time{}, when); err != nil {
				t.Fatalf("Chtimes: %v", err)
			}
			if fi, _ := os.Stat(filepath.Join(dir, "b")); !fi.ModTime().Equal(when) {
				t.Errorf("Chtimes through the link did not reach the target")
			}
			if err := Lchown(tc.fsys, p("l"), os.Getuid(), os.Getgid()); err != nil {
				t.Errorf("Lchown to ourselves: %v", err)
			}
		})
	}
	t.Run("Root cannot escape", func(t *testing.T) {
		if err := root.RenameNoReplace("../escaped", "x"); err == nil {
			t.Errorf("RenameNoReplace of ../escaped succeeded")
		}
		if err := root.Lchtimes("../", time.Now(), time.Now()); err == nil {
			t.Errorf("Lchtimes of ../ succeeded")
		}
	})
}
