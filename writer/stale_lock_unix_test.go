//go:build unix

package writer

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRemoveStaleSkipsLive: a replace whose input has been silent for
// longer than olderThan still holds the lock on its temporary file, so
// neither StaleTemps nor RemoveStale takes it for stale.
func TestRemoveStaleSkipsLive(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "f"), 0o644)
	must(t, err)
	defer f.Close()
	old := time.Now().Add(-2 * time.Hour)
	must(t, os.Chtimes(f.TempName(), old, old))
	if stale, err := StaleTemps(dir, time.Hour); err != nil || len(stale) != 0 {
		t.Errorf("StaleTemps = %q, %v; want none (the replace is live)", stale, err)
	}
	if removed, err := RemoveStale(dir, time.Hour); err != nil || len(removed) != 0 {
		t.Errorf("RemoveStale removed %q, %v; want none", removed, err)
	}
	if _, err := os.Lstat(f.TempName()); err != nil {
		t.Fatalf("the live temporary file is gone: %v", err)
	}
	// A dead replace's file (nobody holds its lock) is stale.
	dead := filepath.Join(dir, ".g.0123456789abcdef.crashcheck-tmp")
	mustWrite(t, dead, "x", 0o600)
	must(t, os.Chtimes(dead, old, old))
	if removed, err := RemoveStale(dir, time.Hour); err != nil || len(removed) != 1 || removed[0] != dead {
		t.Errorf("RemoveStale removed %q, %v; want %s", removed, err, dead)
	}
	_, err = f.Write([]byte("new"))
	must(t, err)
	must(t, f.Commit())
	wantContent(t, filepath.Join(dir, "f"), "new")
}
