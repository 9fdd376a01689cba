package faultfs

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

var updateInjectGolden = flag.Bool("inject.update", false, "rewrite testdata/inject_trace.golden")

// injTraceWorkload makes one op of every kind, under faults that fire at a
// few of them, and returns the trace and the fired ops as text.
func injTraceWorkload(t *testing.T, fsys FS) string {
	inj := NewInjector(fsys,
		Fault{When: OnNth(1, And(Kinds(OpSync), PathMatch("*.tmp"))), Do: Errno(syscall.EIO)},
		Fault{When: OnNth(1, And(Kinds(OpWrite), PathMatch("dir/g"))), Do: ShortWrite()},
		Fault{When: OnNth(1, Kinds(OpRemove)), Do: Crash()},
	)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(inj.Mkdir("dir", 0o755))
	f, err := inj.Create("dir/f.tmp")
	must(err)
	_, err = f.Write(bytes.Repeat([]byte("x"), 4096))
	must(err)
	_, err = f.WriteAt([]byte("0123456789"), 100)
	must(err)
	_, err = f.Seek(0, io.SeekStart)
	must(err)
	_, err = f.Read(make([]byte, 16))
	must(err)
	_, err = f.ReadAt(make([]byte, 8), 4000)
	must(err)
	must(f.Truncate(4000))
	must(f.Chmod(0o640))
	must(f.Chown(os.Getuid(), os.Getgid()))
	_, err = f.Stat()
	must(err)
	if err := f.Sync(); err == nil {
		t.Fatal("the first fsync of f.tmp did not fail")
	}
	must(f.Sync()) // a retry succeeds, and is traced as its own op
	must(f.Close())
	must(inj.Rename("dir/f.tmp", "dir/f"))
	must(SyncDir(inj, "dir"))
	g, err := inj.OpenFile("dir/g", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	must(err)
	if n, err := g.Write(make([]byte, 1000)); n != 500 || err == nil {
		t.Fatalf("short write: %d, %v", n, err)
	}
	must(g.Close())
	r, err := inj.Open("dir/g")
	must(err)
	if _, err := r.Seek(0, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(make([]byte, 4)); err != io.EOF {
		t.Fatalf("read at the end: %v", err)
	}
	must(r.Close())
	must(inj.Symlink("f", "dir/l"))
	_, err = inj.Readlink("dir/l")
	must(err)
	_, err = inj.Lstat("dir/l")
	must(err)
	_, err = inj.Stat("dir/l")
	must(err)
	must(inj.Link("dir/f", "dir/h"))
	_, err = inj.ReadDir("dir")
	must(err)
	must(inj.Chmod("dir/f", 0o600))
	must(inj.Chown("dir/f", os.Getuid(), os.Getgid()))
	if _, err := inj.Stat("dir/missing"); err == nil {
		t.Fatal("stat of a missing file succeeded")
	}
	if err := inj.Remove("dir/h"); err == nil {
		t.Fatal("the crash did not fire")
	}
	inj.Rename("dir/f", "dir/h")

	var b strings.Builder
	for _, op := range inj.Trace() {
		fmt.Fprintln(&b, op)
	}
	b.WriteString("fired:\n")
	for _, op := range inj.Fired() {
		fmt.Fprintln(&b, op)
	}
	return b.String()
}

// TestInjectTraceGolden checks the trace's one-line forms against
// testdata/inject_trace.golden (rewrite it with -inject.update), on a Root
// and on Mem, which must agree with it.
func TestInjectTraceGolden(t *testing.T) {
	golden := filepath.Join("testdata", "inject_trace.golden")
	fx := newInjFixture(t, "Root")
	got := injTraceWorkload(t, fx.fsys)
	if *updateInjectGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -inject.update to create it)", err)
	}
	for _, kind := range []string{"Root", "Mem"} {
		if kind == "Mem" {
			got = injTraceWorkload(t, NewMem())
		}
		if got != string(want) {
			t.Errorf("%s trace differs from %s:\n%s", kind, golden, injLineDiff(string(want), got))
		}
	}
}

// injLineDiff shows the lines of two texts that differ, by line number.
func injLineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n\twant %s\n\tgot  %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}
