package writer_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/writer"
)

func exampleDir() string {
	dir, err := os.MkdirTemp("", "writer-example")
	if err != nil {
		log.Fatal(err)
	}
	return dir
}

func ExampleWriteFile() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "config.json")

	// When WriteFile returns nil the new content is on disk: a power loss
	// now leaves it, a crash before leaves the old content, never a mix.
	if err := writer.WriteFile(name, []byte(`{"debug": true}`), 0o644); err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(name)
	fmt.Println(string(b))
	// Output: {"debug": true}
}

func ExampleCreate() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "report.csv")

	f, err := writer.Create(name, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close() // aborts, leaving the target as it was, unless committed
	fmt.Fprintln(f, "id,total")
	if _, err := io.Copy(f, strings.NewReader("1,42\n")); err != nil {
		log.Fatal(err) // the temporary file is already gone
	}
	if err := f.Commit(); err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(name)
	fmt.Print(string(b))
	// Output:
	// id,total
	// 1,42
}

func ExampleFile_Abort() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "state")
	os.WriteFile(name, []byte("old"), 0o600)

	f, err := writer.Create(name, 0o600)
	if err != nil {
		log.Fatal(err)
	}
	io.WriteString(f, "half-done")
	f.Abort() // changed our mind: the target is untouched

	b, _ := os.ReadFile(name)
	entries, _ := os.ReadDir(dir)
	fmt.Println(string(b), len(entries))
	// Output: old 1
}

func ExampleWithBackup() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "hosts")
	os.WriteFile(name, []byte("v1"), 0o644)

	if err := writer.WriteFile(name, []byte("v2"), 0o644, writer.WithBackup("~")); err != nil {
		log.Fatal(err)
	}
	now, _ := os.ReadFile(name)
	prev, _ := os.ReadFile(name + "~")
	fmt.Println(string(now), string(prev))
	// Output: v2 v1
}

func ExampleWithDurability() {
	dir := exampleDir()
	defer os.RemoveAll(dir)

	// A cache that may be lost, but must never be half-written: no fsync.
	err := writer.WriteFile(filepath.Join(dir, "cache"), []byte("data"), 0o644,
		writer.WithDurability(writer.NoSync))
	fmt.Println(err)
	// Output: <nil>
}

func ExampleWithMode() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "secret")
	os.WriteFile(name, []byte("old"), 0o644)

	// The mode is set on the temporary file before the rename: the new
	// content is never readable by others, not even for an instant.
	if err := writer.WriteFile(name, []byte("token"), 0o600, writer.WithMode(0o600)); err != nil {
		log.Fatal(err)
	}
	fi, _ := os.Stat(name)
	fmt.Println(fi.Mode())
	// Output: -rw-------
}

func ExampleWithReplaceSymlink() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "v1.conf"), []byte("v1"), 0o644)
	link := filepath.Join(dir, "current.conf")
	os.Symlink("v1.conf", link)

	// By default the link is followed and v1.conf replaced; here the link
	// itself becomes a regular file.
	if err := writer.WriteFile(link, []byte("v2"), 0o644, writer.WithReplaceSymlink()); err != nil {
		log.Fatal(err)
	}
	fi, _ := os.Lstat(link)
	old, _ := os.ReadFile(filepath.Join(dir, "v1.conf"))
	fmt.Println(fi.Mode().IsRegular(), string(old))
	// Output: true v1
}

func ExampleErrNotDurable() {
	dir := exampleDir()
	defer os.RemoveAll(dir)

	err := writer.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	switch {
	case errors.Is(err, writer.ErrNotDurable):
		// The new content is in place; a power loss may undo it. Do not
		// retry the fsync: make the data durable another way (write again).
		fmt.Println("in place, not durable:", err)
	case err != nil:
		fmt.Println("unchanged:", err)
	default:
		fmt.Println("durable")
	}
	// Output: durable
}

func ExampleRemoveStale() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	// A temporary file left by a replace that a crash interrupted.
	stale := filepath.Join(dir, ".data.0123456789abcdef.crashcheck-tmp")
	os.WriteFile(stale, []byte("partial"), 0o600)
	past := time.Now().Add(-time.Hour)
	os.Chtimes(stale, past, past)
	os.WriteFile(filepath.Join(dir, ".data.swp"), nil, 0o600) // not ours: kept

	removed, err := writer.RemoveStale(dir, 10*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range removed {
		fmt.Println(filepath.Base(p))
	}
	// Output: .data.0123456789abcdef.crashcheck-tmp
}

func ExampleWithFS() {
	dir := exampleDir()
	defer os.RemoveAll(dir)

	// Every operation goes through the faultfs.FS given: here a Root,
	// which keeps names (and links) inside dir; in tests, faultfs.Mem.
	root, err := faultfs.OpenRoot(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer root.Close()
	if err := writer.WriteFile("inside", []byte("contained"), 0o644, writer.WithFS(root)); err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "inside"))
	fmt.Println(string(b))
	// Output: contained
}

func ExampleWithTempPattern() {
	dir := exampleDir()
	defer os.RemoveAll(dir)

	f, err := writer.Create(filepath.Join(dir, "db"), 0o600, writer.WithTempPattern("myapp-", ".part"))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	entries, _ := os.ReadDir(dir)
	name := entries[0].Name()
	fmt.Println(strings.HasPrefix(name, ".myapp-"), strings.HasSuffix(name, ".part"), len(name))
	// Output: true true 28
}

func ExampleWithKeepTemp() {
	dir := exampleDir()
	defer os.RemoveAll(dir)

	// On failure the temporary file stays, and the error names it:
	// "... (target unchanged; temp file kept at dir/.name.<hex>.crashcheck-tmp)".
	// Here the target is a directory, refused before any temp file exists.
	err := writer.WriteFile(dir, []byte("x"), 0o644, writer.WithKeepTemp())
	fmt.Println(errors.Is(err, syscall.EISDIR))
	// Output: true
}

// labelledFS is an in-memory filesystem whose files all carry one
// extended attribute that its files cannot take: a stand-in for a label
// the process may not set.
type labelledFS struct{ *faultfs.Mem }

func (labelledFS) Listxattr(string) ([]string, error)      { return []string{"security.label"}, nil }
func (labelledFS) Getxattr(string, string) ([]byte, error) { return []byte("secret"), nil }

var _ writer.XattrFS = labelledFS{}

func ExampleXattrError() {
	fsys := labelledFS{faultfs.NewMem()}
	if err := faultfs.WriteFile(fsys, "/shared.txt", []byte("old"), 0o640); err != nil {
		log.Fatal(err)
	}

	// A target whose ACL or other extended attributes cannot be kept is
	// left as it was, unless the loss is allowed.
	err := writer.WriteFile("/shared.txt", []byte("new"), 0o644, writer.WithFS(fsys))
	var xe *writer.XattrError
	if errors.As(err, &xe) {
		fmt.Println("refused:", xe)
		err = writer.WriteFile("/shared.txt", []byte("new"), 0o644, writer.WithFS(fsys), writer.WithAllowXattrLoss())
	}
	b, _ := faultfs.ReadFile(fsys, "/shared.txt")
	fmt.Println(string(b), err)
	// Output:
	// refused: cannot keep extended attribute security.label: operation not supported
	// new <nil>
}
