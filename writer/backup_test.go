package writer

import (
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
