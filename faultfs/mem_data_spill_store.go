package faultfs

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// A spill store: one unlinked temporary file, mapped into memory in
// segments, from which a Mem over its data budget takes fresh memory (the
// policy, and why, is in mem_data_spill.go; the system calls are in
// mem_data_spill_linux.go).
//
// Memory handed out is zero, page aligned, and, like every byte a Mem
// hands out, never written again once filled. The store takes the pages
// out of the resident set every spillTrimEvery bytes written or read
// (trim): the kernel keeps them in its page cache, writes them to the
// file when it wants the memory back, and faults them in when they are
// read again.
//
// The store lives as long as anything that may hold its memory: every
// Mem, snapshot and log array that does is registered as a holder (keep),
// and when the last of them has been collected, the file is closed and
// the mappings retired (spillRetire), which frees the file's space.

const (
	spillSegMin    = 1 << 20         // the first segment's size; each next doubles
	spillSegMax    = 1 << 30         // the largest; a larger request has a segment of its own
	spillTrimEvery = 32 << 20        // bytes written or read between two trims
	spillOwnSeg    = spillSegMax / 2 // requests from this size up get a segment of their own
)

type spillStore struct {
	mu      sync.Mutex
	fd      int
	segs    [][]byte // every mapping, in file order
	cur     []byte   // the unused tail of the segment handed out from
	curSize int      // that segment's size
	size    int64    // the file's size: every segment's
	touched int64    // bytes written or read since the last trim
	holders int      // registered holders not yet collected
	retired bool
}

// spillLive is every store not yet retired, for finding the store a
// slice of memory belongs to (spillOwner).
var spillLive struct {
	mu        sync.Mutex
	stores    map[*spillStore]struct{}
	n         atomic.Int32
	collectAt atomic.Int32 // see newSpillStore
}

// spillCollectAt is the least number of live stores at which opening
// another first collects garbage: spilled memory is not the Go heap's, so
// a program that spills much and allocates little may leave the collector
// idle while stores nothing holds any more keep their descriptors and
// disk space. After a collection the next comes at twice as many live
// stores (spillLive.collectAt), back to half as many once a quarter are
// left.
const spillCollectAt = 64

// newSpillStore opens a store; it fails where the platform has none.
func newSpillStore() (*spillStore, error) {
	if n := spillLive.n.Load(); n >= max(spillLive.collectAt.Load(), spillCollectAt) {
		spillLive.collectAt.Store(2 * n)
		runtime.GC() // the unreachable ones' cleanups then retire them
	}
	fd, err := spillOpen()
	if err != nil {
		return nil, err
	}
	st := &spillStore{fd: fd}
	spillLive.mu.Lock()
	if spillLive.stores == nil {
		spillLive.stores = map[*spillStore]struct{}{}
	}
	spillLive.stores[st] = struct{}{}
	spillLive.n.Add(1)
	spillLive.mu.Unlock()
	return st, nil
}

// alloc returns n bytes of fresh, zero memory (its capacity n), or nil if
// the file cannot grow (its filesystem is full).
func (st *spillStore) alloc(n int) []byte {
	need := (n + pageSize - 1) &^ (pageSize - 1)
	st.mu.Lock()
	defer st.mu.Unlock()
	if need >= spillOwnSeg {
		b, err := st.mapLocked(need, true)
		if err != nil {
			return nil
		}
		return b[:n:n]
	}
	if len(st.cur) < need {
		size := spillSegMin
		if st.curSize > 0 {
			size = min(2*st.curSize, spillSegMax)
		}
		size = max(size, need)
		b, err := st.mapLocked(size, true)
		if err != nil {
			return nil
		}
		st.cur, st.curSize = b, size
	}
	b := st.cur[:n:n]
	st.cur = st.cur[need:]
	st.touchLocked(int64(need))
	return b
}

// allocHoles returns n bytes of zero memory (its capacity n) whose file
// range holds no blocks yet: every part written must first be reserved
// (reserve). It is for a sparse file's snapshot, most of which is never
// written. Nil if the file cannot grow.
func (st *spillStore) allocHoles(n int) []byte {
	st.mu.Lock()
	defer st.mu.Unlock()
	b, err := st.mapLocked((n+pageSize-1)&^(pageSize-1), false)
	if err != nil {
		return nil
	}
	return b[:n:n]
}

// reserve allocates the file's blocks behind b, memory of an allocHoles
// run, and reports whether it could.
func (st *spillStore) reserve(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	var off int64
	for _, s := range st.segs {
		base := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
		if start >= base && start < base+uintptr(len(s)) {
			lo := int64(start-base) &^ (pageSize - 1)
			hi := (int64(start-base) + int64(len(b)) + pageSize - 1) &^ (pageSize - 1)
			return spillReserve(st.fd, off+lo, hi-lo) == nil
		}
		off += int64(len(s))
	}
	return false
}

// mapLocked maps a new segment of size bytes at the file's end.
func (st *spillStore) mapLocked(size int, reserve bool) ([]byte, error) {
	b, err := spillMap(st.fd, st.size, size, reserve)
	if err != nil {
		return nil, err
	}
	st.segs = append(st.segs, b)
	st.size += int64(size)
	return b, nil
}

// touch counts n bytes written or read, and trims once enough were.
func (st *spillStore) touch(n int64) {
	st.mu.Lock()
	st.touchLocked(n)
	st.mu.Unlock()
}

func (st *spillStore) touchLocked(n int64) {
	st.touched += n
	if st.touched >= spillTrimEvery {
		st.trimLocked()
	}
}

// trim takes every page of the store out of the resident set.
func (st *spillStore) trim() {
	st.mu.Lock()
	st.trimLocked()
	st.mu.Unlock()
}

func (st *spillStore) trimLocked() {
	st.touched = 0
	for _, s := range st.segs {
		spillDrop(s)
	}
}

// contains reports whether b's memory is the store's.
func (st *spillStore) contains(b []byte) bool {
	if cap(b) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, s := range st.segs {
		base := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
		if p >= base && p < base+uintptr(len(s)) {
			return true
		}
	}
	return false
}

// spillOwner returns the live store b's memory belongs to, or nil (memory
// of the Go heap).
func spillOwner(b []byte) *spillStore {
	if spillLive.n.Load() == 0 || cap(b) == 0 {
		return nil
	}
	spillLive.mu.Lock()
	defer spillLive.mu.Unlock()
	for st := range spillLive.stores {
		if st.contains(b) {
			return st
		}
	}
	return nil
}

// keep registers holder as holding memory of each of stores: they stay
// open until holder has been collected.
func keep[T any](holder *T, stores ...*spillStore) {
	for _, st := range stores {
		st.mu.Lock()
		st.holders++
		st.mu.Unlock()
		runtime.AddCleanup(holder, (*spillStore).release, st)
	}
}

// release is a holder's cleanup: the last one retires the store.
func (st *spillStore) release() {
	st.mu.Lock()
	if st.holders--; st.holders > 0 || st.retired {
		st.mu.Unlock()
		return
	}
	st.retired = true
	for _, s := range st.segs {
		spillRetire(s)
	}
	st.segs, st.cur = nil, nil
	spillClose(st.fd)
	st.mu.Unlock()
	// Not under st.mu: spillOwner locks the two the other way round.
	spillLive.mu.Lock()
	delete(spillLive.stores, st)
	n := spillLive.n.Add(-1)
	spillLive.mu.Unlock()
	if c := spillLive.collectAt.Load(); 4*n < c {
		spillLive.collectAt.CompareAndSwap(c, max(c/2, spillCollectAt))
	}
}
