//go:build linux

package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// TestCopyTreeSparse: a sparse file is copied as a Truncate to its size
// and writes of its data extents only; the holes cost no write.
func TestCopyTreeSparse(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "sparse"))
	if err != nil {
		t.Fatal(err)
	}
	const mib = 1 << 20
	for _, off := range []int64{0, 3 * mib} {
		if _, err := f.WriteAt([]byte(strings.Repeat("x", 4096)), off); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(8 * mib); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var got [][2]int64
	f, _ = os.Open(filepath.Join(dir, "sparse"))
	forEachExtent(f, 8*mib, func(off, end int64) error { got = append(got, [2]int64{off, end}); return nil })
	f.Close()
	want := [][2]int64{{0, 4096}, {3 * mib, 3*mib + 4096}}
	if !slices.Equal(got, want) {
		t.Skipf("%s reports extents %v, not %v: no holes there", dir, got, want)
	}

	mem := faultfs.NewMem()
	mem.MakeDurable()
	if err := copyTree(mem, dir, ""); err != nil {
		t.Fatal(err)
	}
	var written int64
	for _, op := range mem.Log() {
		if op.Kind == faultfs.OpWrite {
			if op.Off != 0 && op.Off < 3*mib || op.Off >= 3*mib+4096 {
				t.Errorf("write outside the data extents: %v", op)
			}
			written += op.N
		}
	}
	if written != 2*4096 {
		t.Errorf("wrote %d bytes, want %d (the data extents only)", written, 2*4096)
	}
	fi, err := mem.Stat("sparse")
	if err != nil || fi.Size() != 8*mib {
		t.Fatalf("copy: %v, %v; want size %d", fi, err, 8*mib)
	}
	data, err := faultfs.ReadFile(mem, "sparse")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(data), "x") != 2*4096 || data[4096] != 0 || data[3*mib] != 'x' {
		t.Errorf("copy holds the wrong bytes")
	}
}
