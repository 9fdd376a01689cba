package faultfs

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// A spill store: one unlinked temporary file, mapped into memory, from
// which a Mem over its data budget takes fresh memory (the policy, and
// why, is in mem_data_spill.go; the system calls are in
// mem_data_spill_linux.go).
//
// Memory handed out is zero, page aligned, and, like every byte a Mem
// hands out, never written again once filled. It is cut, in order, from
// an area: a range of addresses reserved at once (spillArea bytes), into
// which the file is mapped segment by segment as the area fills, so that
// what is handed out in turn is one run of memory. A file streamed
// through a Mem is then one run however many chunks it was written in,
// and its snapshot shares it instead of copying it (spanned).
//
// The store takes the pages out of the resident set every spillTrimEvery
// bytes written or read (trim): the kernel keeps them in its page cache,
// writes them to the file when it wants the memory back, and faults them
// in when they are read again.
//
// The store lives as long as anything that may hold its memory: every
// Mem, snapshot and log array that does is registered as a holder (keep),
// and when the last of them has been collected, the file is closed and
// the mappings retired (spillRetire), which frees the file's space.

const (
	spillSegMin    = 1 << 20  // the first segment's size; each next doubles
	spillSegMax    = 1 << 30  // the largest, but for a larger request
	spillTrimEvery = 32 << 20 // bytes written or read between two trims
	// spillArea is the addresses an area reserves (64 GiB; less where
	// addresses are 32 bits); a request over half of it has an area of
	// its own.
	spillArea = min(64<<30, math.MaxInt/8) &^ (pageSize - 1)
)

// area is a range of reserved addresses, mapped to the file from its
// start as it fills.
type area struct {
	addrs  []byte    // the reserved addresses
	segs   []segment // what of them is mapped, in address order
	mapped int       // bytes mapped: the segments'
	used   int       // bytes handed out, from the start
	grown  int       // the size of the last segment mapped with its blocks reserved
}

// segment is a part of an area mapped to the file.
type segment struct {
	at, n int   // where in the area, how many bytes
	off   int64 // the file offset mapped there
}

type spillStore struct {
	mu      sync.Mutex
	fd      int
	areas   []*area // the last is the one handed out from, but for areas of their own
	size    int64   // the file's size: every segment's
	touched int64   // bytes written or read since the last trim
	holders int     // registered holders not yet collected
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
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.takeLocked(n, true)
	if b != nil {
		st.touchLocked(int64(len(b)))
	}
	return b
}

// allocHoles returns n bytes of zero memory (its capacity n) whose file
// range holds no blocks yet: every part written must first be reserved
// (reserve). It is for a sparse file's snapshot, most of which is never
// written. Nil if the file cannot grow.
func (st *spillStore) allocHoles(n int) []byte {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.takeLocked(n, false)
}

// takeLocked hands out n bytes, mapping more of the file as needed, with
// its blocks reserved or not.
func (st *spillStore) takeLocked(n int, reserve bool) []byte {
	need := (n + pageSize - 1) &^ (pageSize - 1)
	var a *area
	if k := len(st.areas); k > 0 && len(st.areas[k-1].addrs)-st.areas[k-1].used >= need {
		a = st.areas[k-1]
	} else {
		addrs, err := spillReserveAddrs(max(spillArea, need))
		if err != nil {
			return nil
		}
		a = &area{addrs: addrs}
		if need > spillArea/2 && k > 0 {
			// An area of its own, before the one handed out from.
			st.areas = slices.Insert(st.areas, k-1, a)
		} else {
			st.areas = append(st.areas, a)
		}
	}
	if short := a.used + need - a.mapped; short > 0 {
		grow := 0 // holes: map what is asked, no more
		if reserve {
			grow = spillSegMin
			if a.grown > 0 {
				grow = min(2*a.grown, spillSegMax)
			}
		}
		grow = min(max(grow, short), len(a.addrs)-a.mapped)
		if err := spillMap(st.fd, st.size, a.addrs[a.mapped:a.mapped+grow], reserve); err != nil {
			return nil
		}
		if reserve {
			a.grown = grow
		}
		a.segs = append(a.segs, segment{a.mapped, grow, st.size})
		a.mapped += grow
		st.size += int64(grow)
	}
	b := a.addrs[a.used : a.used+n : a.used+n]
	a.used += need
	return b
}

// reserve allocates the file's blocks behind b, memory of an allocHoles
// run, and reports whether it could.
func (st *spillStore) reserve(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	a, at := st.findLocked(unsafe.Pointer(unsafe.SliceData(b)))
	if a == nil {
		return false
	}
	lo, hi := at&^(pageSize-1), (at+len(b)+pageSize-1)&^(pageSize-1)
	for _, sg := range a.segs {
		if l, h := max(lo, sg.at), min(hi, sg.at+sg.n); l < h {
			if spillReserve(st.fd, sg.off+int64(l-sg.at), int64(h-l)) != nil {
				return false
			}
		}
	}
	return true
}

// findLocked returns the area whose mapped memory holds p, and p's place
// in it; nil if none does.
func (st *spillStore) findLocked(p unsafe.Pointer) (*area, int) {
	for _, a := range st.areas {
		base := unsafe.Pointer(unsafe.SliceData(a.addrs))
		if uintptr(p) >= uintptr(base) && uintptr(p) < uintptr(base)+uintptr(a.mapped) {
			return a, int(uintptr(p) - uintptr(base))
		}
	}
	return nil, 0
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
	for _, a := range st.areas {
		if a.mapped > 0 {
			spillDrop(a.addrs[:a.mapped])
		}
	}
}

// contains reports whether b's memory is the store's.
func (st *spillStore) contains(b []byte) bool {
	if cap(b) == 0 {
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	a, _ := st.findLocked(unsafe.Pointer(unsafe.SliceData(b)))
	return a != nil
}

// spanned returns the n bytes from p as one slice, if they lie in one
// area and were all handed out (so that they are immutable); nil if not.
func (st *spillStore) spanned(p unsafe.Pointer, n int) []byte {
	st.mu.Lock()
	defer st.mu.Unlock()
	if a, at := st.findLocked(p); a != nil && at+n <= a.used {
		return a.addrs[at : at+n : at+n]
	}
	return nil
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
	for _, a := range st.areas {
		if a.used > 0 {
			spillRetire(a.addrs[:a.used])
		}
		if a.used < len(a.addrs) {
			spillUnmap(a.addrs[a.used:]) // never handed out
		}
	}
	st.areas = nil
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
