package writer

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileCreatesAndReplaces(t *testing.T) {
	for _, d := range []Durability{Durable, FileSynced, NoSync} {
		t.Run(d.String(), func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "config.json")
			if err := WriteFile(name, []byte("first"), 0o640, WithDurability(d)); err != nil {
				t.Fatal(err)
			}
			wantContent(t, name, "first")
			wantEntries(t, dir, "config.json")

			for _, content := range []string{"second, longer than the first", "", "3"} {
				if err := WriteFile(name, []byte(content), 0o600, WithDurability(d)); err != nil {
					t.Fatal(err)
				}
				wantContent(t, name, content)
				wantEntries(t, dir, "config.json")
			}
		})
	}
}

func TestWriteFileRelativeName(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := WriteFile("plain", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantContent(t, filepath.Join(dir, "plain"), "x")
	wantEntries(t, dir, "plain")
}

func TestWriteFileKeepsMode(t *testing.T) {
	for _, mode := range []os.FileMode{0o600, 0o644, 0o755, 0o400, 0o000, os.ModeSetuid | 0o755, os.ModeSetgid | 0o750, os.ModeSticky | 0o777} {
		t.Run(mode.String(), func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "f")
			mustWrite(t, name, "old", mode)
			if err := WriteFile(name, []byte("new"), 0o666); err != nil {
				t.Fatal(err)
			}
			wantMode(t, name, mode)
			if os.Geteuid() == 0 || mode&0o400 != 0 {
				wantContent(t, name, "new")
			}
		})
	}
}

func TestWithModeOverrides(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	mustWrite(t, name, "old", 0o644)
	if err := WriteFile(name, []byte("new"), 0o644, WithMode(0o600)); err != nil {
		t.Fatal(err)
	}
	wantMode(t, name, 0o600)
	// WithMode is exact: the umask does not apply to it.
	fresh := filepath.Join(dir, "fresh")
	if err := WriteFile(fresh, []byte("new"), 0o600, WithMode(0o666)); err != nil {
		t.Fatal(err)
	}
	wantMode(t, fresh, 0o666)
}

func TestWriteFileLongNames(t *testing.T) {
	dir := t.TempDir()
	for _, base := range []string{
		strings.Repeat("a", 255),
		strings.Repeat("b", 230),
		strings.Repeat("é", 127), // 254 bytes of two-byte runes
		strings.Repeat("c", 222),
	} {
		name := filepath.Join(dir, base)
		for _, content := range []string{"one", "two"} {
			if err := WriteFile(name, []byte(content), 0o644); err != nil {
				t.Fatalf("%d-byte name: %v", len(base), err)
			}
			wantContent(t, name, content)
		}
		wantEntries(t, dir, base)
		os.Remove(name)
	}
}

func TestWriteFileMissingParent(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "missing", "f")
	err := WriteFile(name, []byte("x"), 0o644)
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != name || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, want a *fs.PathError for %s wrapping ENOENT", err, name)
	}
	if !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), "target unchanged") {
		t.Errorf("message %q should say the parent is missing and the target unchanged", err)
	}
	wantEntries(t, dir) // the parent was not created
}

func TestWriteFileLargeContent(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "big")
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	if err := WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(name)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes (err %v), want %d", len(got), err, len(data))
	}
}
