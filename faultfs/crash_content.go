package faultfs

import (
	"bytes"
	"unsafe"
)

// extent is a run of a file's bytes in a crash state: a slice of immutable
// data (a snapshot's or a logged write's), or a run of zeros when data is nil.
type extent struct {
	data  []byte
	zeros int64
}

func (e extent) len() int64 {
	if e.data != nil {
		return int64(len(e.data))
	}
	return e.zeros
}

// slice returns the part [lo, hi) of e.
func (e extent) slice(lo, hi int64) extent {
	if e.data != nil {
		return extent{data: e.data[lo:hi]}
	}
	return extent{zeros: hi - lo}
}

// Content is a file's bytes in a crash state, as a list of runs that share
// memory with the snapshot and the logged writes: building one never copies
// file data, and comparing two skips the runs they share.
type Content struct {
	ext  []extent
	size int64
}

// Len returns the content's size in bytes.
func (c Content) Len() int64 { return c.size }

// Bytes returns a copy of the content.
func (c Content) Bytes() []byte {
	out := make([]byte, 0, c.size)
	for _, e := range c.ext {
		if e.data != nil {
			out = append(out, e.data...)
		} else {
			out = append(out, make([]byte, e.zeros)...)
		}
	}
	return out
}

// frozen returns the content as one slice of immutable memory: its run
// when it is one (shared, not copied), else a copy.
func (c Content) frozen() []byte {
	if len(c.ext) == 1 && c.ext[0].data != nil {
		d := c.ext[0].data
		return d[:len(d):len(d)]
	}
	return c.Bytes()
}

// Prefix returns a copy of at most n leading bytes.
func (c Content) Prefix(n int) []byte {
	n = int(min(int64(n), c.size))
	out := make([]byte, 0, n)
	for _, e := range c.ext {
		if len(out) == n {
			break
		}
		room := int64(n - len(out))
		if e.data != nil {
			out = append(out, e.data[:min(room, int64(len(e.data)))]...)
		} else {
			out = append(out, make([]byte, min(room, e.zeros))...)
		}
	}
	return out
}

// Equal reports whether c and d hold the same bytes. Runs that are the very
// same memory compare without reading it.
func (c Content) Equal(d Content) bool {
	if c.size != d.size {
		return false
	}
	i, j := 0, 0
	var ci, dj int64 // offsets inside c.ext[i] and d.ext[j]
	for i < len(c.ext) && j < len(d.ext) {
		a, b := c.ext[i], d.ext[j]
		n := min(a.len()-ci, b.len()-dj)
		if !segmentEqual(a.slice(ci, ci+n), b.slice(dj, dj+n)) {
			return false
		}
		ci += n
		dj += n
		if ci == a.len() {
			i, ci = i+1, 0
		}
		if dj == b.len() {
			j, dj = j+1, 0
		}
	}
	return true
}

// EqualBytes reports whether c holds exactly b.
func (c Content) EqualBytes(b []byte) bool {
	return c.Equal(Content{ext: []extent{{data: b[:len(b):len(b)]}}, size: int64(len(b))})
}

func segmentEqual(a, b extent) bool {
	switch {
	case a.data == nil && b.data == nil:
		return true
	case a.data == nil:
		return isZero(b.data)
	case b.data == nil:
		return isZero(a.data)
	case len(a.data) == 0 || unsafe.SliceData(a.data) == unsafe.SliceData(b.data):
		return true
	}
	return bytes.Equal(a.data, b.data)
}

func isZero(b []byte) bool {
	for len(b) >= 8 {
		if *(*uint64)(unsafe.Pointer(&b[0])) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// contentBuilder applies writes and truncations to a Content, reusing its
// buffers between crash states.
type contentBuilder struct {
	ext, tmp []extent
	size     int64
}

func (b *contentBuilder) reset(data []byte) {
	b.ext = b.ext[:0]
	b.size = int64(len(data))
	if len(data) > 0 {
		b.ext = append(b.ext, extent{data: data})
	}
}

// resetExt starts from a content given as runs, which it copies.
func (b *contentBuilder) resetExt(ext []extent, size int64) {
	b.ext = append(b.ext[:0], ext...)
	b.size = size
}

// write puts data at off, zero-filling any gap past the end.
func (b *contentBuilder) write(off int64, data []byte) {
	if len(data) == 0 {
		return
	}
	end := off + int64(len(data))
	if off >= b.size {
		if off > b.size {
			b.ext = append(b.ext, extent{zeros: off - b.size})
		}
		b.appendExt(extent{data: data})
		b.size = end
		return
	}
	b.tmp = b.tmp[:0]
	var pos int64
	inserted := false
	for _, e := range b.ext {
		el := e.len()
		lo, hi := pos, pos+el
		pos = hi
		if hi <= off || lo >= end {
			if lo >= end && !inserted {
				b.tmp = append(b.tmp, extent{data: data})
				inserted = true
			}
			b.tmp = append(b.tmp, e)
			continue
		}
		if lo < off {
			b.tmp = append(b.tmp, e.slice(0, off-lo))
		}
		if !inserted {
			b.tmp = append(b.tmp, extent{data: data})
			inserted = true
		}
		if hi > end {
			b.tmp = append(b.tmp, e.slice(end-lo, el))
		}
	}
	if !inserted {
		b.tmp = append(b.tmp, extent{data: data})
	}
	b.ext, b.tmp = b.tmp, b.ext
	b.size = max(b.size, end)
}

// appendExt appends e, merging it with the last run when they are adjacent.
func (b *contentBuilder) appendExt(e extent) {
	if n := len(b.ext); n > 0 {
		last := &b.ext[n-1]
		if last.data == nil && e.data == nil {
			last.zeros += e.zeros
			return
		}
		// Pieces of one logged write that follow each other in memory
		// merge back into one run (within one allocation: cap says so).
		if last.data != nil && e.data != nil && len(last.data) > 0 && len(e.data) > 0 &&
			cap(last.data)-len(last.data) >= len(e.data) &&
			uintptr(unsafe.Pointer(unsafe.SliceData(last.data)))+uintptr(len(last.data)) == uintptr(unsafe.Pointer(unsafe.SliceData(e.data))) {
			last.data = last.data[:len(last.data)+len(e.data)]
			return
		}
	}
	b.ext = append(b.ext, e)
}

// truncate sets the size, cutting runs or adding zeros.
func (b *contentBuilder) truncate(size int64) {
	if size >= b.size {
		if size > b.size {
			b.appendExt(extent{zeros: size - b.size})
		}
		b.size = size
		return
	}
	var pos int64
	for i, e := range b.ext {
		el := e.len()
		if pos+el >= size {
			if pos == size {
				b.ext = b.ext[:i]
			} else {
				b.ext[i] = e.slice(0, size-pos)
				b.ext = b.ext[:i+1]
			}
			break
		}
		pos += el
	}
	b.size = size
}

// content returns the built content; it shares the builder's buffer, so it
// is valid until the builder's next reset.
func (b *contentBuilder) content() Content { return Content{ext: b.ext, size: b.size} }
