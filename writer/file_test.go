package writer

import (
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
)

func TestCreateCommit(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	mustWrite(t, name, "old", 0o644)
	f, err := Create(name, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(f, "part one, ")
	if _, err := f.ReadFrom(strings.NewReader("part two")); err != nil {
		t.Fatal(err)
	}
	// Nothing is visible before Commit.
	wantContent(t, name, "old")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	wantContent(t, name, "part one, part two")
	wantMode(t, name, 0o644)
	if err := f.Close(); err != nil {
		t.Errorf("Close after Commit: %v, want nil", err)
	}
	if err := f.Abort(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Abort after Commit: %v, want an error matching fs.ErrClosed", err)
	}
	if _, err := f.Write([]byte("late")); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Write after Commit: %v, want fs.ErrClosed", err)
	}
	if err := f.Commit(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("second Commit: %v, want fs.ErrClosed", err)
	}
	wantContent(t, name, "part one, part two")
	wantEntries(t, dir, "f")
}

func TestAbortAndClose(t *testing.T) {
	for _, end := range []string{"Abort", "Close"} {
		t.Run(end, func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "f")
			mustWrite(t, name, "old", 0o644)
			f, err := Create(name, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(f, "never seen")
			if len(tempFiles(t, dir)) != 1 {
				t.Fatal("no temp file while writing")
			}
			if end == "Abort" {
				err = f.Abort()
			} else {
				err = f.Close()
			}
			if err != nil {
				t.Fatal(err)
			}
			wantContent(t, name, "old")
			wantEntries(t, dir, "f")
			if err := f.Commit(); err == nil {
				t.Error("Commit after abort succeeded")
			}
			wantContent(t, name, "old")
			if err := f.Abort(); err != nil {
				t.Errorf("second Abort: %v", err)
			}
		})
	}
}

// A read error while streaming abandons the replacement: the temp file
// would hold an unknown prefix.
func TestReadFromErrorAbandons(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	mustWrite(t, name, "old", 0o644)
	f, err := Create(name, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	r := io.MultiReader(strings.NewReader("some data"), iotest.ErrReader(syscall.EIO))
	if _, err := f.ReadFrom(r); !errors.Is(err, syscall.EIO) || !strings.Contains(err.Error(), "target unchanged; temp file removed") {
		t.Fatalf("ReadFrom: %v", err)
	}
	wantEntries(t, dir, "f")
	if err := f.Commit(); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Commit after a failed ReadFrom: %v, want the same error", err)
	}
	wantContent(t, name, "old")
}

// ReadFrom on a file system whose files lack ReadFrom still copies all.
func TestReadFromGeneric(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	tfs := newTraceFS()
	tfs.short = 1000
	f, err := Create(name, 0o644, WithFS(tfs))
	if err != nil {
		t.Fatal(err)
	}
	content := strings.Repeat("z", 100000)
	if n, err := f.ReadFrom(iotest.OneByteReader(strings.NewReader(content))); err != nil || n != int64(len(content)) {
		t.Fatalf("ReadFrom: %d, %v", n, err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	wantContent(t, name, content)
}
