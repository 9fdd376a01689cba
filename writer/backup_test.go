package writer

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestWithBackup(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	// Nothing to back up yet.
	if err := WriteFile(name, []byte("v1"), 0o644, WithBackup("~")); err != nil {
		t.Fatal(err)
	}
	wantEntries(t, dir, "f")
	for _, v := range []string{"v2", "v3"} {
		prev := readString(t, name)
		if err := WriteFile(name, []byte(v), 0o644, WithBackup("~")); err != nil {
			t.Fatal(err)
		}
		wantContent(t, name, v)
		wantContent(t, name+"~", prev)
		wantEntries(t, dir, "f", "f~")
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// With WithReplaceSymlink the backup keeps the link that is replaced, so
// the previous content stays reachable under the backup name.
func TestBackupOfReplacedSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	name := filepath.Join(dir, "name")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", name); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("new"), 0o644, WithReplaceSymlink(), WithBackup(".bak")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(name + ".bak"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("backup: %v, %v; want the old symbolic link", fi, err)
	}
	if b, err := os.ReadFile(name + ".bak"); err != nil || string(b) != "old" {
		t.Errorf("through the backup: %q, %v; want the old content", b, err)
	}
	if fi, err := os.Lstat(name); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("target: %v, %v; want a regular file", fi, err)
	}
	if b, _ := os.ReadFile(real); string(b) != "old" {
		t.Errorf("the link's destination changed: %q", b)
	}
}
