//go:build linux

package fuse

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

func memWith(t *testing.T, files map[string]string) *faultfs.Mem {
	t.Helper()
	m := faultfs.NewMem(faultfs.WithUmask(0))
	for name, data := range files {
		if err := faultfs.WriteFile(m, name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m.MakeDurable()
	return m
}

// Switch serves another tree at the same mount point: names resolve in
// the new tree, descriptors opened before keep the old file, a program
// started afterwards sees only the new tree.
func TestSwitch(t *testing.T) {
	requireFUSE(t)
	a := memWith(t, map[string]string{"f": "tree a", "only-a": "a"})
	b := memWith(t, map[string]string{"f": "tree b"})
	s := mount(t, a, Options{})
	name := filepath.Join(s.Dir(), "f")
	old, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()

	s.Switch(b)
	if got, err := os.ReadFile(name); err != nil || string(got) != "tree b" {
		t.Errorf("after Switch, f holds %q, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "only-a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("only-a still visible: %v", err)
	}
	buf := make([]byte, 16)
	n, _ := old.ReadAt(buf, 0)
	if string(buf[:n]) != "tree a" {
		t.Errorf("descriptor opened before Switch reads %q", buf[:n])
	}
	if got := run(t, s.Dir(), "cat", "f"); got != "tree b" {
		t.Errorf("program after Switch reads %q", got)
	}

	// Back to a: nothing of b shows.
	s.Switch(a)
	if got := run(t, s.Dir(), "cat", "f", "only-a"); got != "tree aa" {
		t.Errorf("program after switching back reads %q", got)
	}
}

func TestSwitchReadOnly(t *testing.T) {
	requireFUSE(t)
	a := memWith(t, map[string]string{"f": "a"})
	s := mount(t, faultfs.NewMem(), Options{})
	s.SwitchReadOnly(a)
	at := func(name string) string { return filepath.Join(s.Dir(), name) }
	if got, err := os.ReadFile(at("f")); err != nil || string(got) != "a" {
		t.Fatalf("read: %q, %v", got, err)
	}
	for what, err := range map[string]error{
		"write":  os.WriteFile(at("f"), []byte("x"), 0o644),
		"create": os.WriteFile(at("g"), []byte("x"), 0o644),
		"remove": os.Remove(at("f")),
		"rename": os.Rename(at("f"), at("h")),
		"mkdir":  os.Mkdir(at("d"), 0o755),
		"chmod":  os.Chmod(at("f"), 0o600),
	} {
		if !errors.Is(err, syscall.EROFS) {
			t.Errorf("%s on a read-only tree: %v, want EROFS", what, err)
		}
	}
	if len(a.Log()) != 0 {
		t.Errorf("read-only tree changed: %v", a.Log())
	}
}
