package writer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	ours := []string{
		".data.0123456789abcdef.crashcheck-tmp",
		"..0000000000000000.crashcheck-tmp",
		".x.y.fedcba9876543210.crashcheck-tmp",
	}
	notOurs := []string{
		"data",
		".data",
		".data.swp",
		".data.0123456789abcdef.tmp",            // someone else's suffix
		".data.0123456789ABCDEF.crashcheck-tmp", // upper-case hex: not ours
		".data.0123456789abcde.crashcheck-tmp",  // 15 digits
		"data.0123456789abcdef.crashcheck-tmp",  // no leading dot
		".data0123456789abcdef.crashcheck-tmp",  // no dot before the digits
		".data.0123456789abcdeg.crashcheck-tmp",
	}
	for _, n := range append(append([]string{}, ours...), notOurs...) {
		p := filepath.Join(dir, n)
		must(t, os.WriteFile(p, []byte("x"), 0o600))
		must(t, os.Chtimes(p, old, old))
	}
	// A fresh one, as an in-progress replace has: kept.
	fresh := ".live.00000000000000ff.crashcheck-tmp"
	must(t, os.WriteFile(filepath.Join(dir, fresh), nil, 0o600))
	// A directory with our name: not a file of ours.
	must(t, os.Mkdir(filepath.Join(dir, ".d.1111111111111111.crashcheck-tmp"), 0o755))

	removed, err := RemoveStale(dir, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range ours {
		want = append(want, filepath.Join(dir, n))
	}
	slices.Sort(want)
	slices.Sort(removed)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	wantEntries(t, dir, append(append([]string{}, notOurs...), fresh, ".d.1111111111111111.crashcheck-tmp")...)
}

func TestRemoveStaleCustomPattern(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	// Leave a temp file behind as a failed replace with WithKeepTemp would.
	tfs := newTraceFS()
	tfs.failKind, tfs.failErr = "fsync", os.ErrInvalid
	opts := []Option{WithTempPattern("mine-", ".part"), WithKeepTemp()}
	if err := WriteFile(name, []byte("x"), 0o644, append(opts, WithFS(tfs))...); err == nil {
		t.Fatal("injected fsync error not reported")
	}
	es, _ := os.ReadDir(dir)
	if len(es) != 1 || len(es[0].Name()) != len(".mine-")+16+len(".part") ||
		!strings.HasPrefix(es[0].Name(), ".mine-") || !strings.HasSuffix(es[0].Name(), ".part") {
		t.Fatalf("kept temp files %v, want one named .mine-<16 hex>.part", es)
	}
	// The default pattern does not claim it; the custom one does.
	if removed, err := RemoveStale(dir, 0); err != nil || len(removed) != 0 {
		t.Fatalf("default pattern removed %q (%v)", removed, err)
	}
	if removed, err := RemoveStale(dir, -time.Hour, WithTempPattern("mine-", ".part")); err != nil || len(removed) != 1 {
		t.Fatalf("custom pattern removed %q (%v), want the kept temp file", removed, err)
	}
	wantEntries(t, dir)
}
