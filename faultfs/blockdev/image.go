package blockdev

import (
	"slices"
)

// PageSize is the grain of an [Image]: it stores whole pages, and only
// those holding a non-zero byte.
const PageSize = 4096

// SectorSize is the unit a disk writes atomically, and the grain of the
// crash-state hash.
const SectorSize = 512

// Image is a sparse disk image in memory: a size, and the pages that hold
// a non-zero byte. A page never written, or written with zeros, costs
// nothing, so a 300 MiB xfs image costs what mkfs and the workload wrote.
// An Image is not safe for concurrent use.
type Image struct {
	size  int64
	pages map[int64]*[PageSize]byte // page index -> content
}

// NewImage returns an image of size bytes, all zero.
func NewImage(size int64) *Image {
	return &Image{size: size, pages: map[int64]*[PageSize]byte{}}
}

// Size returns the image's size in bytes.
func (m *Image) Size() int64 { return m.size }

// Stored returns the bytes the image holds in memory.
func (m *Image) Stored() int64 { return int64(len(m.pages)) * PageSize }

// WriteAt writes p at off. Bytes past the image's size are dropped, as a
// block device refuses them; it returns how many were written.
func (m *Image) WriteAt(p []byte, off int64) int {
	if off >= m.size || off < 0 {
		return 0
	}
	if rest := m.size - off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n := len(p)
	for len(p) > 0 {
		idx, in := off/PageSize, int(off%PageSize)
		k := min(PageSize-in, len(p))
		pg := m.pages[idx]
		if pg == nil {
			if allZero(p[:k]) {
				off, p = off+int64(k), p[k:]
				continue
			}
			pg = new([PageSize]byte)
			m.pages[idx] = pg
		}
		copy(pg[in:], p[:k])
		if allZero(pg[:]) {
			delete(m.pages, idx)
		}
		off, p = off+int64(k), p[k:]
	}
	return n
}

// ReadAt reads len(p) bytes at off; bytes past the image's size read as
// zero.
func (m *Image) ReadAt(p []byte, off int64) {
	for len(p) > 0 {
		idx, in := off/PageSize, int(off%PageSize)
		k := min(PageSize-in, len(p))
		if pg := m.pages[idx]; pg != nil && off < m.size {
			copy(p[:k], pg[in:])
		} else {
			clear(p[:k])
		}
		off, p = off+int64(k), p[k:]
	}
}

// Zero zeroes n bytes at off (a discard, or a zeroing fallocate).
func (m *Image) Zero(off, n int64) {
	for n > 0 {
		idx, in := off/PageSize, off%PageSize
		k := min(PageSize-in, n)
		if pg := m.pages[idx]; pg != nil {
			clear(pg[in : in+k])
			if allZero(pg[:]) {
				delete(m.pages, idx)
			}
		}
		off, n = off+k, n-k
	}
}

// Clone returns an independent copy.
func (m *Image) Clone() *Image {
	c := NewImage(m.size)
	for i, pg := range m.pages {
		cp := *pg
		c.pages[i] = &cp
	}
	return c
}

// pageIndexes returns the indexes of the stored pages, in order.
func (m *Image) pageIndexes() []int64 {
	idx := make([]int64, 0, len(m.pages))
	for i := range m.pages {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	return idx
}

func allZero(p []byte) bool {
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}
