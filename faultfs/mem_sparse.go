package faultfs

import (
	"maps"
	"slices"
)

// Sparse files in Mem's current view.
//
// fileData's page table has an entry per 4 KiB page of the file, holes
// included, which is right for the files programs usually write and
// impossible for a sparse one: `truncate -s 15T` would need a table of 4
// billion entries. A file whose size grows by more than sparseMinPages of
// hole at once therefore turns sparse: its data pages move to a map and
// holes cost nothing. Everything else about it is as for a dense file
// (the pages are immutable, writes are logged with their own copy).
//
// A file may be no larger than maxFileSize, ext4's limit with 4 KiB
// blocks; growing past it fails with EFBIG (see checkFileSize).

// maxFileSize is the largest file size: ext4's s_maxbytes for extent-mapped
// files with 4 KiB blocks, (2^32-1) blocks.
const maxFileSize = (1<<32 - 1) * pageSize

// sparseMinPages is the growth, in pages of hole, that turns a file sparse.
const sparseMinPages = 1 << 16 // 256 MiB

// sparsePages is a sparse file's bytes.
type sparsePages struct {
	pages map[int][]byte // data pages, each exactly its page's length (pageLen), never written
	base  []byte         // bytes adopted whole (a crash state's): pages not in pages read from here, zeros past its end
}

// dataPages returns how many pages of the file hold data (st_blocks).
func (d *fileData) dataPages() int64 {
	if sp := d.sp; sp != nil {
		n := int64(len(sp.pages))
		for i := 0; int64(i)*pageSize < int64(len(sp.base)); i++ {
			if _, ok := sp.pages[i]; !ok {
				n++
			}
		}
		return n
	}
	var n int64
	for _, pg := range d.pages {
		if pg != nil {
			n++
		}
	}
	return n
}

// goSparse turns the file sparse if growing it to size would add more
// than sparseMinPages pages of hole, and reports whether it is sparse.
func (d *fileData) goSparse(size int64) bool {
	if d.sp != nil {
		return true
	}
	need := (size + pageSize - 1) / pageSize
	if need-int64(len(d.pages)) <= sparseMinPages {
		return false
	}
	sp := &sparsePages{pages: map[int][]byte{}}
	for i, pg := range d.pages {
		if pg != nil {
			sp.pages[i] = pg[:len(pg):len(pg)]
		}
	}
	d.sp, d.pages, d.free, d.chunk, d.next = sp, nil, nil, 0, nil
	return true
}

// page returns page i of a sparse file, nil for a hole.
func (sp *sparsePages) page(i int, size int64) []byte {
	if pg, ok := sp.pages[i]; ok {
		return pg
	}
	lo := int64(i) * pageSize
	if lo >= int64(len(sp.base)) {
		return nil
	}
	return sp.base[lo:min(lo+int64(pageLen(i, size)), int64(len(sp.base)))]
}

func (d *fileData) sparseRead(p []byte, off int64) int {
	if off >= d.size {
		return 0
	}
	n := int(min(int64(len(p)), d.size-off))
	d.src.readFrom(n)
	for done := 0; done < n; {
		i, in := int(off/pageSize), int(off%pageSize)
		c := min(n-done, pageLen(i, d.size)-in)
		pg := d.sp.page(i, d.size)
		k := 0
		if in < len(pg) {
			k = copy(p[done:done+c], pg[in:])
		}
		clear(p[done+k : done+c])
		done += c
		off += int64(c)
	}
	return n
}

// sparseSetPage makes page i, for a file of size bytes, from its old
// bytes (zeros where there were none) with p copied in at in.
func (d *fileData) sparseSetPage(i int, size int64, in int, p []byte) {
	pg := d.src.alloc(pageLen(i, size))
	copy(pg, d.sp.page(i, d.size))
	copy(pg[in:], p)
	d.sp.pages[i] = pg[:len(pg):len(pg)]
}

func (d *fileData) sparseTruncate(size int64) {
	sp := d.sp
	if size < d.size {
		n := int((size + pageSize - 1) / pageSize)
		for i := range sp.pages {
			if i >= n {
				delete(sp.pages, i)
			}
		}
		if int64(len(sp.base)) > size {
			sp.base = sp.base[:size]
		}
		if n > 0 {
			if pg, ok := sp.pages[n-1]; ok {
				sp.pages[n-1] = pg[:pageLen(n-1, size):pageLen(n-1, size)]
			}
		}
		d.size = size
		return
	}
	// The old last page, if partial and holding data, grows with zeros.
	if j := int(d.size / pageSize); d.size%pageSize != 0 && d.sp.page(j, d.size) != nil {
		d.sparseSetPage(j, size, 0, nil)
	}
	d.size = size
}

func (d *fileData) sparseWrite(p []byte, off int64) []byte {
	if off > d.size {
		d.sparseTruncate(off)
	}
	data := d.src.copied(p, true)[:len(p):len(p)] // the log's copy, spilled (see copied)
	end := off + int64(len(p))
	size := max(d.size, end)
	for pos := off; pos < end; {
		i, in := int(pos/pageSize), int(pos%pageSize)
		c := int(min(int64(pageSize-in), end-pos))
		if part := data[pos-off : pos-off+int64(c) : pos-off+int64(c)]; in == 0 && c == pageLen(i, size) {
			d.sp.pages[i] = part // a whole page of the write: shared, as a dense file's
		} else {
			d.sparseSetPage(i, size, in, part)
		}
		pos += int64(c)
	}
	// The old last page, when the write starts past it, was grown by
	// sparseTruncate; one the write ends inside keeps its tail (copied
	// by sparseSetPage).
	d.size = size
	return data[:len(data):len(data)]
}

// sparseFreeze returns a sparse file's bytes as one slice, for a
// snapshot: memory the holes do not cost (see dataSource.sparseFlat). The
// file's pages then point into it, as a dense file's do into its
// snapshot, so the memory they held is let go (otherwise the snapshot
// would hold the data a second time); which pages hold data is kept, for
// st_blocks.
func (d *fileData) sparseFreeze() []byte {
	sp := d.sp
	if len(sp.base) == 0 && int64(len(sp.pages)) == (d.size+pageSize-1)/pageSize {
		// Written whole (a file copied in): perhaps one run already.
		if flat := d.src.run(len(sp.pages), d.size, func(i int) []byte { return sp.pages[i] }); flat != nil {
			return flat
		}
	}
	idx := slices.Sorted(maps.Keys(sp.pages))
	parts := make([]dataPart, 0, len(idx)+1)
	if len(sp.base) > 0 {
		parts = append(parts, dataPart{0, sp.base})
	}
	for _, i := range idx {
		parts = append(parts, dataPart{int64(i) * pageSize, sp.pages[i]})
	}
	flat := d.src.sparseFlat(d.size, parts)[:d.size:d.size]
	sp.base = flat[:len(sp.base):len(sp.base)]
	for _, i := range idx {
		lo := int64(i) * pageSize
		hi := lo + int64(len(sp.pages[i]))
		sp.pages[i] = flat[lo:hi:hi]
	}
	return flat
}

// adoptSparse makes data (too large for a page table) a sparse file's
// bytes, shared.
func (d *fileData) adoptSparse(data []byte) {
	d.sp = &sparsePages{pages: map[int][]byte{}, base: data}
	d.size = int64(len(data))
	d.pages, d.free, d.chunk, d.next = nil, nil, 0, nil
}
