package blockdev

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// A State is a crash state of a [Log]: the disk holds the base, then the
// first Prefix writes of the log (Write and Zero entries, numbered from
// 1 in log order) and then the writes numbered in Extra, in log order.
// A crash keeps every write before the last flush it follows, and any
// subset of the writes since (a volatile cache may have written any of
// them, in any order): Extra lies in that unflushed window.
type State struct {
	Prefix int
	Extra  []int
	// Window is the unflushed window the state belongs to: writes
	// Window[0]..Window[1] (inclusive; empty when Window[0] >
	// Window[1]); AfterExit says a crash in that window may come after
	// the workload returned.
	Window    [2]int
	AfterExit bool
}

// Name says how to rebuild the state: "writes 1-17 + {19,22} of the
// unflushed window 18-25".
func (s State) Name() string {
	var b strings.Builder
	if s.Prefix == 0 {
		b.WriteString("base")
	} else {
		fmt.Fprintf(&b, "writes 1-%d", s.Prefix)
	}
	if len(s.Extra) > 0 {
		parts := make([]string, len(s.Extra))
		for i, x := range s.Extra {
			parts[i] = strconv.Itoa(x)
		}
		fmt.Fprintf(&b, " + {%s}", strings.Join(parts, ","))
	}
	if s.Window[0] <= s.Window[1] {
		fmt.Fprintf(&b, " of the unflushed window %d-%d", s.Window[0], s.Window[1])
	}
	return b.String()
}

// Kept returns the write numbers the state applies, in order.
func (s State) Kept() []int {
	k := make([]int, 0, s.Prefix+len(s.Extra))
	for i := 1; i <= s.Prefix; i++ {
		k = append(k, i)
	}
	return append(k, s.Extra...)
}

// EnumOptions bound the enumeration.
type EnumOptions struct {
	// MaxPerWindow is the most states taken from one unflushed window:
	// a window of n writes has 2^n subsets; while that is at most
	// MaxPerWindow all are taken, else every prefix, every prefix with
	// one write of the rest added, the full window with each write
	// dropped, and then a sample seeded by Seed and the window (default
	// 256).
	MaxPerWindow int
	Seed         uint64
}

// Enumeration is what [Enumerate] found.
type Enumeration struct {
	States     []State
	Candidates int  // states considered before de-duplication
	Windows    int  // unflushed windows with at least one write
	Exhaustive bool // every window's subsets were all taken
}

// Enumerate lists the distinct crash states of l: every subset of every
// unflushed window on top of everything flushed before it, exhaustive up
// to opt.MaxPerWindow per window, de-duplicated by a hash of the image's
// sectors (two states whose disks hold the same bytes are one). The
// order is deterministic: window by window, smaller subsets first.
func Enumerate(l *Log, opt EnumOptions) Enumeration {
	if opt.MaxPerWindow <= 0 {
		opt.MaxPerWindow = 256
	}
	writes := l.writeEntries()
	h := newStateHasher(l.Base)
	res := Enumeration{Exhaustive: true}
	seen := map[[2]uint64]int{} // hash -> index in res.States
	add := func(st State, kept []int) {
		res.Candidates++
		key := h.hash(writes, kept)
		if i, ok := seen[key]; ok {
			// The same disk, reachable after the exit too.
			res.States[i].AfterExit = res.States[i].AfterExit || st.AfterExit
			return
		}
		seen[key] = len(res.States)
		res.States = append(res.States, st)
	}
	first := 1 // first write of the current window
	// emit adds the states of the window first..last, whose last crash
	// point is after end entries.
	emit := func(last, end int) {
		n := last - first + 1
		win := [2]int{first, last}
		after := end >= l.Info.Exit // some crash point of the window is at or after the exit
		prefix := first - 1
		if n <= 0 {
			add(State{Prefix: prefix, Window: win, AfterExit: after}, nil)
			return
		}
		res.Windows++
		for _, sub := range windowSubsets(n, opt.MaxPerWindow, opt.Seed^uint64(first)*0x9e3779b97f4a7c15, &res.Exhaustive) {
			st := State{Prefix: prefix, Window: win, AfterExit: after}
			kept := make([]int, len(sub))
			for k, i := range sub {
				kept[k] = first + i
			}
			// A subset that starts with the window's first writes is
			// named by a longer prefix.
			j := 0
			for j < len(sub) && sub[j] == j {
				j++
			}
			st.Prefix += j
			st.Extra = kept[j:]
			add(st, kept)
		}
	}
	w := 0
	for i, e := range l.Entries {
		if e.Kind != Flush {
			w++
			continue
		}
		if w >= first {
			emit(w, i)
			h.advance(writes[first-1 : w])
			first = w + 1
		}
	}
	emit(w, len(l.Entries))
	return res
}

// windowSubsets returns the subsets of 0..n-1 to take, each ascending.
func windowSubsets(n, max int, seed uint64, exhaustive *bool) [][]int {
	var out [][]int
	if n < 62 && 1<<n <= max {
		masks := make([]uint64, 0, 1<<n)
		for m := uint64(0); m < 1<<n; m++ {
			masks = append(masks, m)
		}
		slices.SortStableFunc(masks, func(a, b uint64) int { return bits.OnesCount64(a) - bits.OnesCount64(b) })
		for _, m := range masks {
			var sub []int
			for i := 0; i < n; i++ {
				if m&(1<<i) != 0 {
					sub = append(sub, i)
				}
			}
			out = append(out, sub)
		}
		return out
	}
	*exhaustive = false
	seq := func(k int) []int {
		s := make([]int, k)
		for i := range s {
			s[i] = i
		}
		return s
	}
	// Every prefix (a crash at each point with nothing reordered)...
	for k := 0; k <= n; k++ {
		out = append(out, seq(k))
	}
	// ...each prefix with one later write added (a reordered write)...
	for k := 0; k < n && len(out) < max; k++ {
		for j := k + 1; j < n && len(out) < max; j++ {
			out = append(out, append(seq(k), j))
		}
	}
	// ...the full window with each write dropped...
	for j := 0; j < n && len(out) < max; j++ {
		out = append(out, append(seq(j), seqFrom(j+1, n)...))
	}
	// ...and a seeded sample.
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	for len(out) < max {
		var sub []int
		for i := 0; i < n; i++ {
			if rng.IntN(2) == 1 {
				sub = append(sub, i)
			}
		}
		out = append(out, sub)
	}
	return out
}

func seqFrom(a, b int) []int {
	s := make([]int, 0, b-a)
	for i := a; i < b; i++ {
		s = append(s, i)
	}
	return s
}

// writeEntries returns the Write and Zero entries, write i at index i-1.
func (l *Log) writeEntries() []Entry {
	w := make([]Entry, 0, len(l.Entries))
	for _, e := range l.Entries {
		if e.Kind != Flush {
			w = append(w, e)
		}
	}
	return w
}

// stateHasher hashes a state's disk as the sum, over the sectors whose
// content differs from the base, of a hash of (sector, content): a sum,
// so that a state is the flushed prefix's hash corrected for the sectors
// its window writes change.
type stateHasher struct {
	seed   maphash.Seed
	base   *Image
	prefix map[int64][]byte // sector -> content after the flushed prefix
	sum    [2]uint64
}

func newStateHasher(base *Image) *stateHasher {
	return &stateHasher{seed: maphash.MakeSeed(), base: base, prefix: map[int64][]byte{}}
}

var zeroSector [SectorSize]byte

func (h *stateHasher) baseSector(s int64) []byte {
	b := make([]byte, SectorSize)
	h.base.ReadAt(b, s*SectorSize)
	return b
}

// term is the sector's contribution: nothing when it holds what the base
// holds.
func (h *stateHasher) term(s int64, c []byte) [2]uint64 {
	if bytes.Equal(c, h.baseSector(s)) {
		return [2]uint64{}
	}
	var mh maphash.Hash
	mh.SetSeed(h.seed)
	var key [8]byte
	for i := range key {
		key[i] = byte(s >> (8 * i))
	}
	mh.Write(key[:])
	mh.Write(c)
	a := mh.Sum64()
	mh.WriteByte(0xa5)
	return [2]uint64{a, mh.Sum64()}
}

func (h *stateHasher) current(over map[int64][]byte, s int64) []byte {
	if c, ok := over[s]; ok {
		return c
	}
	if c, ok := h.prefix[s]; ok {
		return c
	}
	return h.baseSector(s)
}

// apply lays write e over the sectors in over.
func (h *stateHasher) apply(over map[int64][]byte, e Entry) {
	end := e.Off + e.Len
	for s := e.Off / SectorSize; s*SectorSize < end; s++ {
		lo, hi := max(e.Off, s*SectorSize), min(end, (s+1)*SectorSize)
		var c []byte
		if lo == s*SectorSize && hi == (s+1)*SectorSize {
			if e.Kind == Zero {
				c = zeroSector[:]
			} else {
				c = e.Data[lo-e.Off : hi-e.Off]
			}
		} else {
			c = append([]byte(nil), h.current(over, s)...)
			if e.Kind == Zero {
				clear(c[lo-s*SectorSize : hi-s*SectorSize])
			} else {
				copy(c[lo-s*SectorSize:], e.Data[lo-e.Off:hi-e.Off])
			}
		}
		over[s] = c
	}
}

// hash returns the hash of the flushed prefix with the extra writes.
func (h *stateHasher) hash(writes []Entry, extra []int) [2]uint64 {
	over := map[int64][]byte{}
	for _, x := range extra {
		h.apply(over, writes[x-1])
	}
	sum := h.sum
	for s, c := range over {
		old, now := h.term(s, h.current(nil, s)), h.term(s, c)
		sum[0] += now[0] - old[0]
		sum[1] += now[1] - old[1]
	}
	return sum
}

// advance makes ws part of the flushed prefix.
func (h *stateHasher) advance(ws []Entry) {
	over := map[int64][]byte{}
	for _, e := range ws {
		h.apply(over, e)
	}
	for s, c := range over {
		old, now := h.term(s, h.current(nil, s)), h.term(s, c)
		h.sum[0] += now[0] - old[0]
		h.sum[1] += now[1] - old[1]
		h.prefix[s] = c
	}
}
