package faultfs

// A regular file's bytes in Mem's current view.
//
// Every write is logged with an immutable copy of its bytes (crash states
// are built from those copies), and a running program must read what it
// wrote. Keeping the current view as one flat buffer beside the log copied
// every byte written twice, and growing the buffer by doubling copied it
// again; that was most of the cost of serving a Mem over FUSE.
//
// So the current view is built from the same immutable memory the log
// holds: a table of 4 KiB pages, each a slice of memory that is never
// changed once handed out. A write copies its bytes once, into fresh
// memory; the log entry refers to exactly those bytes and the pages the
// write covers point at them. A page only partly covered is rebuilt whole,
// in the same fresh run as the written bytes (copy on write at page
// granularity), so a 4 KiB write at a 4 KiB boundary (a database page)
// copies nothing more, and any other write at most two pages more. The snapshot taken by MakeDurable shares
// the pages' memory for the same reason: nothing ever writes over it.
//
// Fresh memory comes from a per-file arena: a chunk whose unused tail is
// handed out in order, so a write that continues the last one lands right
// after it in memory and extends the last page in place. One-byte appends
// therefore cost no page rebuilds, and a file written front to back in one
// write is one run of memory, which the snapshot shares as it is. Chunks
// double in size up to maxChunk, starting at the size of the first write,
// so a file written once holds exactly its bytes (a larger write has a
// chunk of its own size).
//
// Since the log keeps every byte ever written, a stream of writes is a
// stream of pages the process has never touched, and the kernel's page
// faults on them, one per 4 KiB, cost more than the copy itself. On Linux
// the arena asks for a large chunk's pages in one call
// (MADV_POPULATE_WRITE), and once a file's chunks have grown to maxChunk,
// prepares the next chunk so, in the background, while the current one
// fills (a file being streamed holds one spare chunk). Populating a page
// does not change its contents, so the background call needs no
// synchronisation.
//
// The price is paid by snapshots of files whose pages are not one run of
// memory: the snapshot's data is a flat slice (the crash model and its
// reference check read it so), and MakeDurable copies such a file once
// into one run, which the current view then shares. Before this design
// MakeDurable copied nothing, but the next write to any file copied that
// whole file.
//
// Fresh memory comes from the Mem's data source (src): the Go heap while
// the Mem's data fits its budget, then a temporary file the kernel pages,
// so that resident memory stays bounded however much is written
// (mem_data_spill.go). A fileData without a source takes it from the heap.

const (
	pageSize = 4 << 10
	maxChunk = 1 << 20
)

// fileData is a regular file's bytes: size bytes in pages of pageSize,
// page i holding [i*pageSize, min((i+1)*pageSize, size)). A page is nil
// (zeros) or a slice of exactly that length of memory that is never written
// again; its capacity may run to the end of the chunk it was cut from.
type fileData struct {
	pages [][]byte
	size  int64
	free  []byte       // the arena: the unused, still zero, tail of the last chunk
	chunk int          // the last chunk's size
	next  []byte       // a stream's next chunk, its pages being faulted in
	sp    *sparsePages // a sparse file (mem_sparse.go): pages, free and next unused
	src   *dataSource  // where fresh memory comes from (mem_data_spill.go); nil: the heap
}

// pageLen returns the length of page i for a file of size bytes.
func pageLen(i int, size int64) int {
	return int(min(pageSize, size-int64(i)*pageSize))
}

// take returns n bytes of fresh, zeroed memory from the arena; their
// capacity runs to the end of the chunk, so a following take can be found
// to continue them (see follows).
func (d *fileData) take(n int) []byte {
	if len(d.free) < n {
		d.chunk = max(n, min(2*d.chunk, maxChunk))
		// Spilled memory is not prefaulted: a file's pages are faulted
		// in through the page cache, which the call does not speed up.
		spills := d.src.spills(int64(d.chunk))
		if len(d.next) == d.chunk {
			d.free, d.next = d.next, nil
		} else {
			d.free = d.src.alloc(d.chunk)
			if d.chunk >= prefaultMin && !spills {
				prefault(d.free)
			}
		}
		if d.chunk == maxChunk && maxChunk >= prefaultMin && !spills {
			// Chunks have grown to their largest: a stream. Have
			// the next one's pages ready before it is needed.
			d.next = d.src.alloc(maxChunk)
			go prefault(d.next)
		}
	}
	b := d.free[:n]
	d.free = d.free[n:]
	return b
}

// follows reports whether next starts right where the first n bytes of
// prev end, in the same allocation: prev[:n+len(next)] is then prev's
// bytes followed by next's.
func follows(prev []byte, n int, next []byte) bool {
	return len(next) > 0 && cap(prev) > n && &prev[:n+1][n] == &next[0]
}

// setPages makes room for n pages; pages added are nil.
func (d *fileData) setPages(n int) {
	if n <= len(d.pages) {
		clear(d.pages[n:]) // let the memory go
		d.pages = d.pages[:n]
		return
	}
	if n > cap(d.pages) {
		grown := make([][]byte, len(d.pages), max(n, 2*cap(d.pages)))
		copy(grown, d.pages)
		d.pages = grown
	}
	d.pages = d.pages[:n] // past the old length the array holds nils
}

// read copies the bytes at off into p and returns how many there were.
func (d *fileData) read(p []byte, off int64) int {
	if d.sp != nil {
		return d.sparseRead(p, off)
	}
	if off >= d.size {
		return 0
	}
	n := int(min(int64(len(p)), d.size-off))
	d.src.readFrom(n)
	for done := 0; done < n; {
		i, in := int(off/pageSize), int(off%pageSize)
		pg := d.pages[i]
		var c int
		if pg == nil {
			c = min(n-done, pageLen(i, d.size)-in)
			clear(p[done : done+c])
		} else {
			c = copy(p[done:n], pg[in:])
		}
		done += c
		off += int64(c)
	}
	return n
}

// truncate sets the size, zero-filling growth.
func (d *fileData) truncate(size int64) {
	if size > d.size && d.goSparse(size) || d.sp != nil {
		d.sparseTruncate(size)
		return
	}
	old := d.size
	n := int((size + pageSize - 1) / pageSize)
	if size < old {
		d.setPages(n)
		if n > 0 && d.pages[n-1] != nil {
			d.pages[n-1] = d.pages[n-1][:pageLen(n-1, size)]
		}
		d.size = size
		return
	}
	if size == old {
		return
	}
	// The last page, if partial and not zeros, grows: in place when its
	// memory is followed by the arena's (still zero) tail, else rebuilt.
	if j := int(old / pageSize); old%pageSize != 0 && d.pages[j] != nil {
		pg, l := d.pages[j], pageLen(j, size)
		if len(d.free) >= l-len(pg) && follows(pg, len(pg), d.free) {
			d.take(l - len(pg))
			d.pages[j] = pg[:l]
		} else {
			np := d.take(l)
			copy(np, pg)
			d.pages[j] = np
		}
	}
	d.setPages(n)
	d.size = size
}

// write puts p at off, growing the file (zero-filling any gap), and returns
// the bytes written as immutable memory, for the log to keep; its capacity
// may run on into the arena (see the end of write).
//
// The bytes go into one fresh run of memory together with the old bytes
// that share the first and last pages written (the pages are rebuilt in
// it), unless the first page's old bytes end right where the arena's
// unused tail begins: then the run continues that page in place.
func (d *fileData) write(p []byte, off int64) []byte {
	if len(p) == 0 {
		return nil
	}
	if d.goSparse(off + int64(len(p))) {
		return d.sparseWrite(p, off)
	}
	if off > d.size {
		d.truncate(off)
	}
	end := off + int64(len(p))
	size := max(d.size, end)
	first, last := int(off/pageSize), int((end-1)/pageSize)
	lo := int(off - int64(first)*pageSize) // where p starts in the first page
	hi := int(end - int64(last)*pageSize)  // where p ends in the last page
	// The last page's old bytes past p (end < size only when the old
	// size was larger, so they are all there).
	var head, tail []byte
	tailLen := pageLen(last, size) - hi
	if tailLen > 0 {
		tail = d.pages[last] // nil: zeros
	}
	if tail != nil {
		tail = tail[hi:]
	}
	if first < len(d.pages) {
		head = d.pages[first] // nil: zeros
	}
	continues := lo > 0 && len(d.free) >= len(p)+tailLen && follows(head, lo, d.free)
	headLen := lo
	if continues {
		headLen = 0
	}
	var run []byte
	if n := len(p); headLen == 0 && tailLen == 0 && n > maxChunk && len(d.free) < n {
		// A chunk of its own, all of it p: copied into fresh memory
		// in one pass, not zeroed first (append clears only what lies
		// past p, which becomes the arena's tail).
		run = d.src.copied(p, false)
		d.chunk, d.free = n, run[n:cap(run)]
		run = run[:n]
	} else {
		run = d.take(headLen + len(p) + tailLen) // zeros where the old bytes were zeros
		if headLen > 0 && head != nil {
			copy(run, head[:lo])
		}
		copy(run[headLen:], p)
		copy(run[headLen+len(p):], tail)
	}

	d.setPages(int((size + pageSize - 1) / pageSize))
	d.size = size
	base := off - int64(headLen) // the file offset of run[0]
	for i := first; i <= last; i++ {
		ps, l := int64(i)*pageSize, pageLen(i, size)
		if i == first && continues {
			d.pages[i] = head[:l]
			continue
		}
		d.pages[i] = run[ps-base : ps-base+int64(l)]
	}
	// Not clipped: when the next write continues this one in memory, a
	// crash state that applies both merges them into one run
	// (contentBuilder.appendExt checks the capacity), so a file built by
	// appends is one run, not one per write. What lies past len is the
	// arena's: nothing may append to the returned slice.
	return run[headLen : headLen+len(p)]
}

// freeze returns the file's bytes as one immutable slice, for a snapshot.
// When the pages are one run of memory, it is shared as it is; otherwise
// the bytes are copied once into one run, which the pages then share.
func (d *fileData) freeze() []byte {
	if d.size == 0 {
		return nil
	}
	if d.sp != nil {
		return d.sparseFreeze()
	}
	run := int64(cap(d.pages[0])) >= d.size
	for i, pg := range d.pages {
		if !run || pg == nil || i > 0 && !follows(d.pages[0], i*pageSize, pg) {
			run = false
			break
		}
	}
	if run {
		return d.pages[0][:d.size:d.size]
	}
	if flat := d.src.run(len(d.pages), d.size, func(i int) []byte { return d.pages[i] }); flat != nil {
		return flat // one run of spilled memory (mem_data_spill.go)
	}
	flat := d.src.alloc(int(d.size))
	d.src.fill(flat, func(part []byte, off int64) { d.read(part, off) })
	d.adopt(flat)
	return flat
}

// adopt makes data the file's bytes, shared (never written).
func (d *fileData) adopt(data []byte) {
	if len(data) > sparseMinPages*pageSize*16 {
		d.adoptSparse(data)
		return
	}
	d.sp = nil
	d.size = int64(len(data))
	d.setPages(int((d.size + pageSize - 1) / pageSize))
	for i := range d.pages {
		lo := i * pageSize
		d.pages[i] = data[lo : lo+pageLen(i, d.size)]
	}
	d.free, d.chunk, d.next = nil, 0, nil
}
