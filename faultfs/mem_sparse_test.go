//go:build linux

package faultfs

import (
	"bytes"
	"errors"
	"os"
	"runtime"
	"syscall"
	"testing"
)

const tib = int64(1) << 40

// heapAfter runs f and returns how much the Go heap grew.
func heapAfter(f func()) int64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.GC()
	runtime.ReadMemStats(&b)
	return int64(b.HeapAlloc) - int64(a.HeapAlloc)
}

// TestMemSparseTiB: `truncate -s 15T` and a write at 15 TiB make a sparse
// file, whose holes cost no memory (they used to kill the process), read
// back as zeros, and count no blocks; MakeDurable costs no heap for the
// holes either.
func TestMemSparseTiB(t *testing.T) {
	m := NewMem()
	var f File
	grew := heapAfter(func() {
		var err error
		f, err = m.Create("big")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(15 * tib); err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte("end"), 15*tib-3); err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte("mid"), 7*tib); err != nil {
			t.Fatal(err)
		}
	})
	if grew > 16<<20 {
		t.Errorf("a 15 TiB sparse file took %d bytes of heap", grew)
	}
	fi, _ := f.Stat()
	if fi.Size() != 15*tib {
		t.Errorf("size %d, want %d", fi.Size(), 15*tib)
	}
	if b := fi.Sys().(*syscall.Stat_t).Blocks; b != 2*8 {
		t.Errorf("st_blocks %d, want 16 (two 4 KiB pages hold data)", b)
	}
	buf := make([]byte, 6)
	for off, want := range map[int64]string{15*tib - 6: "\x00\x00\x00end", 7*tib - 3: "\x00\x00\x00mid", 3 * tib: "\x00\x00\x00\x00\x00\x00"} {
		if _, err := f.ReadAt(buf, off); err != nil {
			t.Fatal(err)
		}
		if string(buf) != want {
			t.Errorf("at %d: %q, want %q", off, buf, want)
		}
	}
	f.Close()
	grew = heapAfter(m.MakeDurable)
	if grew > 16<<20 {
		t.Errorf("MakeDurable of a 15 TiB sparse file took %d bytes of heap", grew)
	}
	// The file stays writable and sparse after the snapshot.
	f, _ = m.OpenFile("big", os.O_RDWR, 0)
	if _, err := f.WriteAt([]byte("again"), 11*tib); err != nil {
		t.Fatal(err)
	}
	f.ReadAt(buf[:5], 11*tib)
	if string(buf[:5]) != "again" {
		t.Errorf("read back %q", buf[:5])
	}
	f.Close()
}

// TestMemFileSizeLimit: past ext4's 16 TiB limit, truncate and write fail
// with EFBIG; a write that crosses it is cut short at the limit.
func TestMemFileSizeLimit(t *testing.T) {
	m := NewMem()
	f, _ := m.Create("f")
	defer f.Close()
	if err := f.Truncate(maxFileSize + 1); !errors.Is(err, syscall.EFBIG) {
		t.Errorf("truncate past the limit: %v, want EFBIG", err)
	}
	if err := f.Truncate(maxFileSize); err != nil {
		t.Errorf("truncate to the limit: %v", err)
	}
	if n, err := f.WriteAt([]byte("x"), 999999999999999); n != 0 || !errors.Is(err, syscall.EFBIG) {
		t.Errorf("pwrite at 999999999999999: %d, %v; want 0, EFBIG", n, err)
	}
	n, err := f.WriteAt([]byte("abcd"), maxFileSize-2)
	if n != 2 || err != nil {
		t.Errorf("pwrite across the limit: %d, %v; want 2, nil", n, err)
	}
	fi, _ := f.Stat()
	if fi.Size() != maxFileSize {
		t.Errorf("size %d, want %d", fi.Size(), int64(maxFileSize))
	}
}

// TestMemSparseSmallAndShrink: a file that turned sparse keeps dense
// semantics: overwrite in the middle of a page, shrink into data, grow
// again (zeros), and blocks follow.
func TestMemSparseSmallAndShrink(t *testing.T) {
	m := NewMem()
	f, _ := m.Create("f")
	defer f.Close()
	f.Write(bytes.Repeat([]byte("a"), 10000))
	f.Truncate(tib)
	f.WriteAt([]byte("XY"), 4095)
	f.Truncate(9000)
	f.Truncate(12000)
	got := make([]byte, 12000)
	f.ReadAt(got, 0)
	want := bytes.Repeat([]byte("a"), 9000)
	copy(want[4095:], "XY")
	want = append(want, make([]byte, 3000)...)
	if !bytes.Equal(got, want) {
		t.Errorf("content differs from a dense file's")
	}
	fi, _ := f.Stat()
	if b := fi.Sys().(*syscall.Stat_t).Blocks; b != 3*8 {
		t.Errorf("st_blocks %d, want 24", b)
	}
}

// TestMemBlocksCountHoles: a dense file with a hole counts only the pages
// written.
func TestMemBlocksCountHoles(t *testing.T) {
	m := NewMem()
	f, _ := m.Create("f")
	defer f.Close()
	f.WriteAt([]byte("x"), 1<<20)
	fi, _ := f.Stat()
	if b := fi.Sys().(*syscall.Stat_t).Blocks; b != 8 {
		t.Errorf("st_blocks %d for one written page after a 1 MiB hole, want 8", b)
	}
}

// TestMemSparseClone: a clone of a sparse file holds its data (Clone used
// to lose a sparse file's pages, and reading it panicked), and writes to
// either side after the clone leave the other unchanged.
func TestMemSparseClone(t *testing.T) {
	const far = 2 * sparseMinPages * pageSize
	m := NewMem()
	f, err := m.Create("f")
	must(t, err)
	_, err = f.WriteAt([]byte("far"), far)
	must(t, err)
	c := m.Clone()
	write := func(m *Mem, p string, off int64) {
		f, err := m.OpenFile("f", os.O_WRONLY, 0)
		must(t, err)
		_, err = f.WriteAt([]byte(p), off)
		must(t, err)
		must(t, f.Close())
	}
	read := func(m *Mem, off int64, n int) string {
		f, err := m.Open("f")
		must(t, err)
		defer f.Close()
		p := make([]byte, n)
		_, err = f.ReadAt(p, off)
		must(t, err)
		return string(p)
	}
	if got := read(c, far, 3); got != "far" {
		t.Fatalf("the clone holds %q, want %q", got, "far")
	}
	write(c, "clone", far)
	write(m, "mine", 0)
	if got := read(m, far, 3) + read(m, 0, 4); got != "farmine" {
		t.Fatalf("the original holds %q, want %q", got, "farmine")
	}
	if got := read(c, far, 5) + read(c, 0, 4); got != "clone\x00\x00\x00\x00" {
		t.Fatalf("the clone holds %q, want %q", got, "clone\x00\x00\x00\x00")
	}
}
