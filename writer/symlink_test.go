package writer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestSymlinkFollowed(t *testing.T) {
	root := t.TempDir()
	linkDir := filepath.Join(root, "links")
	realDir := filepath.Join(root, "real")
	for _, d := range []string{linkDir, realDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	real := filepath.Join(realDir, "data")
	mustWrite(t, real, "old", 0o640)
	for _, tc := range []struct{ name, dest string }{
		{"relative", "../real/data"},
		{"absolute", real},
	} {
		t.Run(tc.name, func(t *testing.T) {
			link := filepath.Join(linkDir, tc.name)
			if err := os.Symlink(tc.dest, link); err != nil {
				t.Fatal(err)
			}
			// A chain: link2 -> link -> data.
			link2 := filepath.Join(linkDir, tc.name+"2")
			if err := os.Symlink(tc.name, link2); err != nil {
				t.Fatal(err)
			}
			for _, via := range []string{link, link2} {
				tfs := newTraceFS()
				content := "via " + filepath.Base(via)
				if err := WriteFile(via, []byte(content), 0o600, WithFS(tfs)); err != nil {
					t.Fatal(err)
				}
				if fi, err := os.Lstat(via); err != nil || fi.Mode()&os.ModeSymlink == 0 {
					t.Fatalf("%s is no longer a symbolic link (%v, %v)", via, fi.Mode(), err)
				}
				wantContent(t, real, content)
				wantMode(t, real, 0o640)
				// The temp file was made next to the real file, so the
				// rename stays on its filesystem.
				for _, op := range tfs.ops {
					if strings.HasPrefix(op, "rename ") && op != "rename data" {
						t.Errorf("renamed over %q, want data", op)
					}
				}
				wantEntries(t, realDir, "data")
			}
		})
	}
	wantEntries(t, linkDir, "absolute", "absolute2", "relative", "relative2")
}

func TestSymlinkDangling(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	if err := os.Symlink("target", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantContent(t, filepath.Join(dir, "target"), "new")
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("link replaced: %v %v", fi, err)
	}
}

func TestSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Symlink("b", a)
	os.Symlink("a", b)
	err := WriteFile(a, []byte("x"), 0o644)
	if !errors.Is(err, syscall.ELOOP) {
		t.Fatalf("got %v, want ELOOP", err)
	}
	wantEntries(t, dir, "a", "b")
}

func TestWithReplaceSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	mustWrite(t, real, "old", 0o644)
	link := filepath.Join(dir, "link")
	if err := os.Symlink("real", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new"), 0o600, WithReplaceSymlink()); err != nil {
		t.Fatal(err)
	}
	wantContent(t, real, "old")
	wantContent(t, link, "new")
	wantMode(t, link, 0o600) // a regular file now
	wantEntries(t, dir, "link", "real")
}
