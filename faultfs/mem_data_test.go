package faultfs

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

// TestFileDataMatchesFlat checks a file's pages against a flat buffer under
// random writes, truncations, reads and snapshots, with sizes and offsets
// around page boundaries; and checks that no byte handed out, to the log
// (write) or to a snapshot (freeze), ever changes afterwards.
func TestFileDataMatchesFlat(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var d fileData
		var flat []byte
		type handed struct{ mem, want []byte }
		var out, beyond []handed
		offset := rapid.OneOf(
			rapid.Int64Range(0, 3*pageSize),
			rapid.SampledFrom([]int64{0, 1, pageSize - 1, pageSize, pageSize + 1, 2*pageSize - 1, 2 * pageSize}),
		)
		length := rapid.OneOf(rapid.IntRange(0, 9), rapid.IntRange(0, 3*pageSize))
		seq := 0
		for range rapid.IntRange(1, 40).Draw(t, "ops") {
			switch rapid.IntRange(0, 5).Draw(t, "op") {
			case 0, 1: // write
				off, n := offset.Draw(t, "off"), length.Draw(t, "len")
				p := make([]byte, n)
				for i := range p {
					seq++
					p[i] = byte(seq%255 + 1)
				}
				if rapid.Bool().Draw(t, "append") {
					off = int64(len(flat))
				}
				got := d.write(p, off)
				if !bytes.Equal(got, p) {
					t.Fatalf("write(%d bytes at %d) returned %d other bytes", n, off, len(got))
				}
				// Past its bytes, the returned slice's capacity may run on
				// (a crash state merges a following write's run found
				// there): those bytes are checked below never to change,
				// but where still zero (the arena's tail, handed out
				// later).
				beyond = append(beyond, handed{got[len(got):cap(got)], bytes.Clone(got[len(got):cap(got)])})
				if end := int(off) + n; n > 0 && end > len(flat) {
					flat = append(flat, make([]byte, end-len(flat))...)
				}
				if n > 0 {
					copy(flat[off:], p)
				}
				out = append(out, handed{got, bytes.Clone(p)})
			case 2: // truncate
				size := offset.Draw(t, "size")
				d.truncate(size)
				if int(size) <= len(flat) {
					flat = flat[:size]
				} else {
					flat = append(flat, make([]byte, int(size)-len(flat))...)
				}
			case 3: // snapshot
				got := d.freeze()
				if !bytes.Equal(got, flat) || cap(got) != len(got) {
					t.Fatalf("freeze: %d bytes (cap %d), want %d", len(got), cap(got), len(flat))
				}
				out = append(out, handed{got, bytes.Clone(flat)})
			case 4, 5: // read
				off, n := offset.Draw(t, "roff"), length.Draw(t, "rlen")
				p := bytes.Repeat([]byte{0xee}, n)
				got := d.read(p, off)
				want := 0
				if int(off) < len(flat) {
					want = copy(make([]byte, n), flat[off:])
				}
				if got != want || !bytes.Equal(p[:got], flat[min(int(off), len(flat)):][:got]) {
					t.Fatalf("read(%d at %d) = %d bytes %v, want %d", n, off, got, p[:got], want)
				}
			}
			if d.size != int64(len(flat)) || len(d.pages) != (len(flat)+pageSize-1)/pageSize {
				t.Fatalf("size %d in %d pages, want %d", d.size, len(d.pages), len(flat))
			}
			for i, pg := range d.pages {
				if pg != nil && len(pg) != pageLen(i, d.size) {
					t.Fatalf("page %d holds %d bytes, want %d", i, len(pg), pageLen(i, d.size))
				}
			}
			all := make([]byte, len(flat))
			d.read(all, 0)
			if !bytes.Equal(all, flat) {
				t.Fatalf("content differs from the flat model")
			}
			for i, h := range out {
				if !bytes.Equal(h.mem, h.want) {
					t.Fatalf("bytes handed out by step %d changed afterwards", i)
				}
			}
			for i, h := range beyond {
				for j := range h.mem {
					if h.want[j] != 0 && h.mem[j] != h.want[j] {
						t.Fatalf("byte %d past write %d's bytes changed afterwards", j, i)
					}
				}
			}
		}
	})
}

// TestFileDataSharing checks the memory claims mem_data.go makes: a file
// written front to back is one run its snapshot shares; appends continue
// the last page in place; a page-aligned page write replaces the page
// with the logged bytes themselves.
func TestFileDataSharing(t *testing.T) {
	same := func(a, b []byte) bool { return len(a) > 0 && len(b) > 0 && &a[0] == &b[0] }
	t.Run("one write, shared snapshot", func(t *testing.T) {
		var d fileData
		logged := d.write(make([]byte, 3*pageSize+5), 0)
		if snap := d.freeze(); !same(snap, logged) {
			t.Fatal("snapshot copied a file written in one write")
		}
	})
	t.Run("appends extend in place", func(t *testing.T) {
		// Chunks double from the first write's size: a page is rebuilt
		// only where one chunk ends and the next begins.
		var d fileData
		rebuilt, last := 0, d.write([]byte("a"), 0)
		for i := 1; i < 3*pageSize; i++ {
			d.write([]byte("b"), int64(i))
			if pg := d.pages[i/pageSize]; i%pageSize != 0 && !same(pg, last) {
				rebuilt++
			}
			last = d.pages[i/pageSize]
		}
		if rebuilt > 13 {
			t.Fatalf("%d appends rebuilt a page %d times", 3*pageSize, rebuilt)
		}
	})
	t.Run("aligned page write copies once", func(t *testing.T) {
		var d fileData
		d.write(make([]byte, 4*pageSize), 0)
		logged := d.write(bytes.Repeat([]byte{1}, pageSize), 2*pageSize)
		if !same(d.pages[2], logged) {
			t.Fatal("the page does not share the logged bytes")
		}
	})
	t.Run("snapshot of pages in many runs is copied once", func(t *testing.T) {
		var d fileData
		d.write(make([]byte, 4*pageSize), 0)
		d.write(bytes.Repeat([]byte{1}, pageSize), pageSize)
		snap := d.freeze()
		if !same(d.pages[0], snap) || !same(d.freeze(), snap) {
			t.Fatal("the view does not share the flattened snapshot")
		}
	})
}

// TestFileDataStream writes a file front to back in 128 KiB pieces, as a
// FUSE mount delivers a stream, far past the arena's largest chunk (whose
// successors are prepared in the background), and checks every byte, in
// the file and in what the log was handed.
func TestFileDataStream(t *testing.T) {
	const piece, pieces = 128 << 10, 80
	var d fileData
	var logged [][]byte
	for i := range pieces {
		p := bytes.Repeat([]byte{byte(i + 1)}, piece)
		p[i] = 0 // a byte out of line in each piece
		logged = append(logged, d.write(p, int64(i)*piece))
	}
	got := make([]byte, piece)
	for i := range pieces {
		want := bytes.Repeat([]byte{byte(i + 1)}, piece)
		want[i] = 0
		if n := d.read(got, int64(i)*piece); n != piece || !bytes.Equal(got, want) {
			t.Fatalf("piece %d reads back wrong (%d bytes)", i, n)
		}
		if !bytes.Equal(logged[i], want) {
			t.Fatalf("piece %d as logged changed", i)
		}
	}
	if d.size != pieces*piece {
		t.Fatalf("size %d, want %d", d.size, pieces*piece)
	}
}
