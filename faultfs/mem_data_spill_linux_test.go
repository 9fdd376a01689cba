package faultfs

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// spillFDs returns the descriptors of this process open on files in dir.
func spillFDs(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	must(t, err)
	var open []string
	for _, e := range ents {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(target, dir+"/") {
			open = append(open, target)
		}
	}
	return open
}

// retired reports whether st has been retired, collecting garbage (and
// running cleanups) a few times first.
func retired(st *spillStore) bool {
	for range 20 {
		runtime.GC()
		st.mu.Lock()
		r := st.retired
		st.mu.Unlock()
		if r {
			return true
		}
		runtime.Gosched()
	}
	return false
}

// TestSpillStoreLifetime: a spilling Mem's store has no name in TMPDIR at
// any time, outlives the Mem while a History of it is held (whose crash
// states read the spilled bytes), and is closed, its file gone, once
// neither is reachable.
func TestSpillStoreLifetime(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	want := bytes.Repeat([]byte("spilled "), 3*maxChunk/8)
	m := NewMem(WithDataBudget(0))
	must(t, WriteFile(m, "f", want, 0o644))
	st := m.data.own
	if st == nil {
		t.Fatal("no store opened")
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) > 0 {
		t.Fatalf("TMPDIR holds %v (%v), want nothing", ents, err)
	}
	if fds := spillFDs(t, dir); len(fds) != 1 || !strings.HasSuffix(fds[0], "(deleted)") {
		t.Fatalf("descriptors open in TMPDIR: %q, want one on a deleted file", fds)
	}
	h := m.History()
	m = nil
	if retired(st) {
		t.Fatal("the store was retired while a History of its Mem was held")
	}
	got, err := h.FinalState().ReadFile("f")
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Fatal("the History's final state does not hold what was written")
	}
	runtime.KeepAlive(h)
	h = nil
	if !retired(st) {
		t.Fatal("the store outlived its Mem and History")
	}
	if fds := spillFDs(t, dir); len(fds) > 0 {
		t.Fatalf("descriptors still open in TMPDIR: %q", fds)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) > 0 {
		t.Fatalf("TMPDIR holds %v (%v), want nothing", ents, err)
	}
}

// TestSpillSparseSnapshot: the snapshot of a file truncated far (sparse)
// and then partly written is spilled with blocks reserved only for its
// data, and reads back exactly.
func TestSpillSparseSnapshot(t *testing.T) {
	const size = 2 * sparseMinPages * pageSize // 512 MiB, mostly hole
	m := NewMem(WithDataBudget(0))
	f, err := m.Create("f")
	must(t, err)
	must(t, f.Truncate(size))
	data := bytes.Repeat([]byte{7}, 3*maxChunk)
	for _, off := range []int64{0, size / 2, size - int64(len(data))} {
		_, err := f.WriteAt(data, off)
		must(t, err)
	}
	before := spillBlocks(t, m.data.own)
	m.MakeDurable()
	snap := m.base.inodes[m.root.dir["f"].ino].data
	if !m.data.inStore(snap) {
		t.Fatal("the snapshot is not spilled")
	}
	if grown := spillBlocks(t, m.data.own) - before; grown > 4*int64(len(data))+(1<<20) {
		t.Fatalf("the snapshot of %d bytes of data took %d bytes of disk", 3*len(data), grown)
	}
	for _, off := range []int64{0, size / 2, size - int64(len(data))} {
		if !bytes.Equal(snap[off:off+int64(len(data))], data) {
			t.Fatalf("the snapshot's data at %d differs", off)
		}
	}
	for _, off := range []int64{int64(len(data)), size/2 - pageSize, size/2 + int64(len(data))} {
		if !isZero(snap[off : off+pageSize]) {
			t.Fatalf("the snapshot's hole at %d is not zero", off)
		}
	}
}

// spillBlocks returns the bytes of disk st's file takes.
func spillBlocks(t *testing.T, st *spillStore) int64 {
	t.Helper()
	var s syscall.Stat_t
	must(t, syscall.Fstat(st.fd, &s))
	return s.Blocks * 512
}

// TestSpillFullDisk: when TMPDIR's filesystem has no room for the data,
// it stays on the heap: nothing fails, and it reads back exactly.
func TestSpillFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipping: mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=8m"); err != nil {
		t.Skipf("skipping: cannot mount a tmpfs: %v", err)
	}
	// Detached: the store may still be open until its Mem is collected.
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	t.Setenv("TMPDIR", dir)
	m := NewMem(WithDataBudget(0))
	want := make([]byte, 32<<20)
	for i := range want {
		want[i] = byte(i/pageSize + 1)
	}
	for off := 0; off < len(want); off += 1 << 20 {
		f, err := m.OpenFile("f", os.O_WRONLY|os.O_CREATE, 0o644)
		must(t, err)
		_, err = f.WriteAt(want[off:off+1<<20], int64(off))
		must(t, err)
		must(t, f.Close())
	}
	m.MakeDurable()
	got, err := ReadFile(m, "f")
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Fatal("the file reads back other bytes")
	}
	if m.data.heap < int64(len(want))-8<<20 {
		t.Fatalf("%d bytes on the heap: more than the tmpfs's 8 MiB were spilled", m.data.heap)
	}
	if ents, _ := os.ReadDir(filepath.Clean(dir)); len(ents) > 0 {
		t.Fatalf("TMPDIR holds %v", ents)
	}
}

// TestSpillSnapshotSharesStream: a file streamed into spilled memory is
// one run, which MakeDurable shares instead of copying: written in 1 MiB
// writes, and copied in as crashcheck run's --dir does (its size set
// first, which makes a large file sparse, then its data in 32 KiB
// pieces).
func TestSpillSnapshotSharesStream(t *testing.T) {
	for _, c := range []struct {
		name        string
		size, piece int
		truncate    bool
	}{
		{name: "written in 1 MiB writes", size: 8 << 20, piece: 1 << 20},
		{name: "copied in", size: sparseMinPages*pageSize + 1<<20, piece: 32 << 10, truncate: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.size > 64<<20 && testing.Short() {
				t.Skip("skipping: writes 257 MiB")
			}
			m := NewMem(WithDataBudget(0))
			f, err := m.Create("f")
			must(t, err)
			if c.truncate {
				must(t, f.Truncate(int64(c.size)))
			}
			p := make([]byte, c.piece)
			for off := 0; off < c.size; off += c.piece {
				p[0] = byte(off / c.piece)
				_, err := f.WriteAt(p, int64(off))
				must(t, err)
			}
			first := m.log[len(m.log)-c.size/c.piece].data
			m.MakeDurable()
			snap := m.base.inodes[m.root.dir["f"].ino].data
			if len(snap) != c.size || unsafe.SliceData(snap) != unsafe.SliceData(first) {
				t.Fatal("the snapshot does not share the written memory")
			}
			for off := 0; off < c.size; off += c.piece {
				if snap[off] != byte(off/c.piece) {
					t.Fatalf("the snapshot holds %d at %d, want %d", snap[off], off, byte(off/c.piece))
				}
			}
		})
	}
}
