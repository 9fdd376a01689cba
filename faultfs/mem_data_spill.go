package faultfs

import (
	"os"
	"strconv"
	"sync"
	"unsafe"
)

// Bounded memory: spilling file data.
//
// A Mem keeps every byte written since MakeDurable (crash states are built
// from the log's copies), so a command that writes 10 GiB through a mount
// leaves 10 GiB to keep. Dropping what no crash state needs cannot bound
// that: until the history is judged, a state at some crash point may read
// any write, and a stream of fresh data is never overwritten, so all of it
// stays needed. So the bytes are kept, but not all in the process's memory.
//
// Each Mem has a data budget (WithDataBudget; 256 MiB by default, or
// $CRASHCHECK_DATA_BUDGET bytes). Memory for file data (the arena's
// chunks, a write's own run, a snapshot's copy) comes from the Go heap
// while the data so taken stays within the budget, and beyond it from a
// spill store (mem_data_spill_store.go): an unlinked temporary file in
// os.TempDir(), made with O_TMPFILE so that it never has a name (where
// the filesystem lacks it, created and unlinked at once), mapped shared
// into one reserved range of addresses as it fills. Nothing is left behind
// however the process ends. The memory is used exactly as heap memory is (immutable once
// filled, sliced into pages, shared with the log, snapshots and crash
// states, compared by address), so nothing else in the package knows the
// difference. But the store takes its pages out of the resident set every
// 32 MiB written or read (madvise MADV_DONTNEED): they stay in the
// kernel's page cache, which writes them back to the file when it needs
// the memory and faults them in when they are read again. Resident memory
// is then the budget, the 32 MiB between trims, and the bookkeeping (a
// page table entry per 4 KiB of file, an entry per logged operation),
// whatever was written.
//
// Why a file and not anonymous memory: without swap, anonymous memory
// cannot leave RAM, and a memfd is RAM too; a file's pages can, and the
// page cache keeps the recently used ones fast. The cost is disk: the file
// holds every byte spilled (and MakeDurable's copies of files that were
// not one run) until the store is let go. A segment's blocks are reserved
// (fallocate) before it is mapped, since a write into a shared mapping of
// a full filesystem kills the process with SIGBUS; when the reservation
// fails, or no store can be opened (another platform, a filesystem without
// O_TMPFILE and unlinking, or without fallocate), the memory comes from
// the heap as it did before spilling existed: the budget is then not kept,
// and nothing fails.
//
// A store hands out memory in order from one range of addresses, so a
// file streamed into spilled memory (written front to back, each write
// after the last) is one run of memory however many writes made it, and
// MakeDurable's snapshot shares it (run) instead of copying it; the
// memory of a file only partly spilled, or written out of order, is copied
// once, into the store. A sparse file (one grown by a truncation past
// 256 MiB of hole, mem_sparse.go) has its data and its snapshot in a store
// whatever the budget: the snapshot is a run of the file's whole size
// whose holes must cost nothing, which only a store's unreserved range or
// an anonymous mapping gives, and an anonymous mapping could never be
// unmapped (no one knows when the last crash state is done with it). So a
// 1 GiB file copied in (crashcheck run --dir sets a file's size first,
// then copies its data) is written once, into the store, and not held
// twice. Without a budget (WithDataBudget(-1)) nothing is spilled.
//
// Small Mems pay nothing: until a Mem's data passes its budget, and but
// for sparse files, it opens no file. A clone counts the memory it shares
// with the Mem it was cloned from against its own budget, and opens a
// store of its own once over it, so that a run's spilled data is freed
// with the run.
//
// Memory of a store may be held by any Mem, snapshot or History that got
// it, and a slice records no owner, so the store cannot know by itself
// when its memory is no longer used. Every holder that can outlive the Mem
// is registered (keep): the Mem itself, each snapshot it takes while it
// has a store, and each array its log is appended into (a History holds
// its snapshot and its log's array; a CrashState holds its History). A Mem
// that takes memory of another store (CloneReusing's shared writes, a Mem
// made from a state) holds that store too. When the last holder has been
// collected, the file is closed and the memory handed out retired:
// replaced by inaccessible memory, not unmapped, so that a slice kept
// beyond its holders (a Content kept after its CrashState and History were
// dropped: the one thing that can) faults instead of reading other bytes
// the kernel maps there later. The retired addresses stay reserved: they
// cost no memory, but a process that spills terabytes over its life (in
// stores let go) runs out of addresses.
//
// Limits: bytes read from a spilled file are resident until the next trim
// (they are file pages, which the kernel may reclaim at any time); the
// budget counts what the current view, the log and the last snapshot
// hold, not memory held only by Histories and clones taken earlier; a
// disk-backed os.TempDir() is needed for the memory to leave RAM (on tmpfs
// the page cache is RAM); spilled writes go at the speed of the page
// cache, and of the disk once the kernel's dirty limit is reached.

// defaultDataBudget is the data budget of a Mem made without
// WithDataBudget when $CRASHCHECK_DATA_BUDGET is unset.
const defaultDataBudget = 256 << 20

// envDataBudget is $CRASHCHECK_DATA_BUDGET, when it is an integer number of
// bytes (tests set it to make every Mem spill).
var envDataBudget = sync.OnceValue(func() int64 {
	if n, err := strconv.ParseInt(os.Getenv("CRASHCHECK_DATA_BUDGET"), 10, 64); err == nil {
		return n
	}
	return defaultDataBudget
})

// WithDataBudget sets how many bytes of file data the Mem keeps in the Go
// heap; beyond them its data goes to a temporary file the kernel pages
// (Linux; see the package doc's Limits). Negative: no limit. The default
// is 256 MiB, or $CRASHCHECK_DATA_BUDGET bytes when that is set.
func WithDataBudget(bytes int64) MemOption {
	return func(m *Mem) { m.data.budget = bytes }
}

// dataSource is where a Mem's file data memory comes from. A fileData
// without one (nil) takes it from the heap with no budget.
type dataSource struct {
	m       *Mem
	budget  int64         // bytes of the heap the data may take; negative: no limit
	heap    int64         // bytes of data in the heap, as last counted
	own     *spillStore   // the Mem's store, once over budget
	stores  []*spillStore // every store the Mem holds memory of, own included
	noStore bool          // opening a store failed: stay on the heap
	read    int64         // bytes read from the Mem's files since the last trim
}

func (s *dataSource) init(m *Mem) { *s = dataSource{m: m, budget: envDataBudget()} }

// spills reports whether n more bytes go to a store.
func (s *dataSource) spills(n int64) bool {
	return s != nil && s.budget >= 0 && s.heap+n > s.budget && !s.noStore
}

// store returns the Mem's own store, opening it if need be; nil if none
// can be opened.
func (s *dataSource) store() *spillStore {
	if s.own == nil && !s.noStore {
		st, err := newSpillStore()
		if err != nil {
			s.noStore = true
			return nil
		}
		s.own = st
		s.hold(st)
	}
	return s.own
}

// hold makes the Mem a holder of st's memory, and everything it registers
// from now on (snapshots, log arrays), and its current log array, which
// the next operation may append st's memory to.
func (s *dataSource) hold(st *spillStore) {
	s.stores = append(s.stores, st)
	keep(s.m, st)
	if log := s.m.log; cap(log) > 0 {
		keep(&log[:1][0], st)
	}
}

// holdMemOf makes the Mem a holder of the store b's memory belongs to, if
// any: b is memory the Mem is about to share (another run's logged write,
// a snapshot's data).
func (s *dataSource) holdMemOf(b []byte) {
	if s == nil || cap(b) == 0 {
		return
	}
	for _, st := range s.stores {
		if st.contains(b) {
			return
		}
	}
	if st := spillOwner(b); st != nil {
		s.hold(st)
	}
}

// inStore reports whether b is memory of one of the Mem's stores.
func (s *dataSource) inStore(b []byte) bool {
	for _, st := range s.stores {
		if st.contains(b) {
			return true
		}
	}
	return false
}

// alloc returns n bytes of fresh, zero memory.
func (s *dataSource) alloc(n int) []byte {
	if s.spills(int64(n)) {
		if st := s.store(); st != nil {
			if b := st.alloc(n); b != nil {
				return b
			}
		}
	}
	if s != nil {
		s.heap += int64(n)
	}
	return make([]byte, n)
}

// copied returns a copy of p in fresh memory, whose capacity may run past
// p's length (the rest zero). With spill, the memory is a store's even
// within the budget (unless there is none): a sparse file's data is, as
// its snapshot is (sparseFlat), so that a file copied in (its size set
// first, which makes a large file sparse) is one run of memory its
// snapshot shares.
func (s *dataSource) copied(p []byte, spill bool) []byte {
	if s.spills(int64(len(p))) || spill && s != nil && s.budget >= 0 && !s.noStore {
		if st := s.store(); st != nil {
			if b := st.alloc(len(p)); b != nil {
				s.fill(b, func(part []byte, off int64) { copy(part, p[off:]) })
				return b
			}
		}
	}
	if s != nil {
		s.heap += int64(len(p))
	}
	return append([]byte(nil), p...) // not zeroed first
}

// fillStep is how much of a large run fill writes between two trims.
const fillStep = spillTrimEvery / 4

// fill has from write dst, fresh memory of alloc, in parts (each at its
// offset in dst), so that a run larger than memory is never resident
// whole.
func (s *dataSource) fill(dst []byte, from func(part []byte, off int64)) {
	if s == nil || s.own == nil || len(dst) <= fillStep || !s.own.contains(dst) {
		from(dst, 0)
		return
	}
	for off := 0; off < len(dst); off += fillStep {
		part := dst[off:min(off+fillStep, len(dst))]
		from(part, int64(off))
		s.own.touch(int64(len(part)))
	}
}

// run returns the n pages of a file of size bytes (page(i) is page i) as
// one slice, when they lie one after another in memory a store handed
// out: a file streamed into spilled memory is so (mem_data_spill_store.go
// cuts memory in order from one range of addresses), and its snapshot
// then shares it instead of copying it. Nil if they do not.
func (s *dataSource) run(n int, size int64, page func(i int) []byte) []byte {
	if s == nil || len(s.stores) == 0 || n == 0 {
		return nil
	}
	first := page(0)
	if first == nil {
		return nil
	}
	p0 := uintptr(unsafe.Pointer(unsafe.SliceData(first)))
	for i := range n {
		pg := page(i)
		if len(pg) != pageLen(i, size) || uintptr(unsafe.Pointer(unsafe.SliceData(pg))) != p0+uintptr(i)*pageSize {
			return nil
		}
	}
	for _, st := range s.stores {
		if b := st.spanned(unsafe.Pointer(unsafe.SliceData(first)), int(size)); b != nil {
			return b
		}
	}
	return nil
}

// dataPart is a run of a sparse file's data at its offset.
type dataPart struct {
	off  int64
	data []byte
}

// sparseFlat returns size bytes, zero but for parts, copied in (in order:
// a later part overwrites an earlier; their offsets ascend but where a
// part lies inside the one before). The memory is a store's, whose blocks
// are reserved only where the parts lie, whatever the budget: the other
// way to have holes cost nothing is an anonymous mapping (flatZeros),
// which nothing could ever unmap, while a store is let go with its last
// holder. Only without a budget, or where no store opens, is it
// flatZeros'.
func (s *dataSource) sparseFlat(size int64, parts []dataPart) []byte {
	var data int64
	for _, p := range parts {
		data += int64(len(p.data))
	}
	if s != nil && s.budget >= 0 && !s.noStore {
		if st := s.store(); st != nil {
			if flat := st.allocHoles(int(size)); flat != nil && reserveParts(st, flat, parts) {
				var since int64
				for _, p := range parts {
					copy(flat[p.off:], p.data)
					if since += int64(len(p.data)); since >= fillStep {
						st.touch(since)
						since = 0
					}
				}
				st.touch(since)
				return flat
			}
		}
	}
	if s != nil {
		s.heap += data
	}
	flat := flatZeros(size)
	for _, p := range parts {
		copy(flat[p.off:], p.data)
	}
	return flat
}

// reserveParts reserves the blocks behind every part of flat, a run of
// st's allocHoles, merging parts that touch into one reservation.
func reserveParts(st *spillStore, flat []byte, parts []dataPart) bool {
	var lo, hi int64 = 0, -1
	for _, p := range parts {
		end := p.off + int64(len(p.data))
		if p.off <= hi {
			hi = max(hi, end)
			continue
		}
		if hi > lo && !st.reserve(flat[lo:hi]) {
			return false
		}
		lo, hi = p.off, end
	}
	return hi <= lo || st.reserve(flat[lo:hi])
}

// readFrom counts n bytes read from the Mem's files: reads fault a
// store's pages in, so they count towards the next trim.
func (s *dataSource) readFrom(n int) {
	if s == nil || len(s.stores) == 0 {
		return
	}
	if s.read += int64(n); s.read >= spillTrimEvery {
		s.trim()
	}
}

// trim takes the pages of every store the Mem holds out of the resident set.
func (s *dataSource) trim() {
	s.read = 0
	for _, st := range s.stores {
		st.trim()
	}
}

// clone returns the data source of c, a clone of the Mem: it holds the
// Mem's stores (c shares their memory) and counts the Mem's heap data
// against its budget, but opens a store of its own when over it.
func (s *dataSource) clone(c *Mem) dataSource {
	cs := dataSource{m: c, budget: s.budget, heap: s.heap, noStore: s.noStore,
		stores: append([]*spillStore(nil), s.stores...)}
	keep(c, cs.stores...)
	return cs
}

// recount counts the heap data of snapshot snap, all the Mem holds after
// MakeDurable (its log is empty).
func (s *dataSource) recount(snap *snapshot) {
	s.heap = 0
	for _, n := range snap.inodes {
		if len(n.data) > 0 && !s.inStore(n.data) {
			s.heap += int64(len(n.data))
		}
	}
}

// adopted counts b, memory a Mem made from a snapshot takes as a file's
// data: against the budget if it is the heap's, else by holding its store.
func (s *dataSource) adopted(b []byte) {
	if st := spillOwner(b); st != nil {
		if !s.inStore(b) {
			s.hold(st)
		}
		return
	}
	s.heap += int64(len(b))
}
