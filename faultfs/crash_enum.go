package faultfs

import (
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// DefaultMaxStates is the number of distinct states per crash point up to
// which enumeration is exhaustive.
const DefaultMaxStates = 4096

// EnumOptions tunes Enumerate.
type EnumOptions struct {
	// MaxStates bounds the distinct states visited at one crash point; a
	// point with more legal states is sampled (0 means DefaultMaxStates).
	MaxStates int
	// Seed seeds the sample; the same history, model, point and seed
	// always give the same states in the same order.
	Seed uint64
}

// EnumStats says what an enumeration did.
type EnumStats struct {
	States     int  // distinct states visited
	Candidates int  // unit choices tried, duplicates included
	Exhaustive bool // every legal state was visited
}

// Enumerate calls visit with each distinct state the disk may hold after a
// crash at point (0 to Points()-1) under model m, until visit returns false.
// States are visited in a deterministic order; identical states (the same
// tree, attributes and bytes from the same writes) are visited once.
func (h *History) Enumerate(m Model, point int, opt EnumOptions, visit func(*CrashState) bool) EnumStats {
	return h.enumerate(m, point, opt, true, visit)
}

// enumerate is Enumerate, starting from the durable base when useBase is
// set (as Enumerate always does) or else planning from op 0, which a test
// compares it with.
func (h *History) enumerate(m Model, point int, opt EnumOptions, useBase bool, visit func(*CrashState) bool) EnumStats {
	if point < 0 || point > len(h.ops) {
		panic("faultfs: crash point out of range")
	}
	if opt.MaxStates <= 0 {
		opt.MaxStates = DefaultMaxStates
	}
	var base *durableBase
	if sm, ok := m.(settlingModel); ok && useBase {
		base = h.durableBaseAt(sm, point)
	}
	p := m.plan(h, point, planOps(base, point))
	p.base = base
	p.prepare(h)
	s := newCrashState(h, p, m.Name())
	g := &chooser{
		max:  opt.MaxStates,
		rng:  rand.New(rand.NewPCG(opt.Seed, uint64(point)*0x9e3779b97f4a7c15+1)),
		seen: make(map[[2]uint64]struct{}, min(opt.MaxStates, 1<<min(p.units, 20))),
	}
	g.limit = 4 * opt.MaxStates
	g.visit = func(kept []uint64) bool {
		if g.stopped || g.stats.States >= g.max {
			return false
		}
		g.stats.Candidates++
		s.reset(kept)
		fp := s.fingerprint()
		if _, dup := g.seen[fp]; dup {
			return true
		}
		g.seen[fp] = struct{}{}
		g.stats.States++
		if !visit(s) {
			g.stopped = true
			return false
		}
		return true
	}
	exhaustive := m.candidates(p, g)
	g.stats.Exhaustive = exhaustive && !g.stopped
	return g.stats
}

// chooser hands unit choices from a model to the enumeration, counting and
// deduplicating them, and gives models the bitset helpers they need.
type chooser struct {
	max, limit int
	rng        *rand.Rand
	seen       map[[2]uint64]struct{}
	visit      func([]uint64) bool
	stats      EnumStats
	stopped    bool
	buf        []uint64
}

// offer tries one choice; it returns false when enumeration must stop.
func (g *chooser) offer(kept []uint64) bool { return g.visit(kept) }

// offerMask offers the choice whose first 64 units are given by mask.
func (g *chooser) offerMask(mask uint64) bool {
	b := g.empty(64)
	b[0] = mask
	return g.visit(b)
}

// more reports whether random sampling should go on.
func (g *chooser) more() bool { return g.stats.Candidates < g.limit && g.stats.States < g.max }

func (g *chooser) empty(units int) []uint64 {
	n := (units + 63) / 64
	if cap(g.buf) < n {
		g.buf = make([]uint64, n)
	}
	g.buf = g.buf[:n]
	clear(g.buf)
	return g.buf
}

func (g *chooser) prefix(units, j int) []uint64 {
	b := g.empty(units)
	for u := 0; u < j; u++ {
		setBit(b, int32(u))
	}
	return b
}

func (g *chooser) full(units int) []uint64 { return append([]uint64(nil), g.prefix(units, units)...) }

func (g *chooser) without(all []uint64, j int) []uint64 {
	b := g.empty(len(all) * 64)
	copy(b, all)
	b[j>>6] &^= 1 << (j & 63)
	return b
}

func (g *chooser) only(units, j int) []uint64 {
	b := g.empty(units)
	setBit(b, int32(j))
	return b
}

func (g *chooser) random(units int) []uint64 {
	b := g.empty(units)
	for i := range b {
		b[i] = g.rng.Uint64()
	}
	if r := units & 63; r != 0 {
		b[len(b)-1] &= 1<<r - 1
	}
	return b
}

func setBit(b []uint64, u int32) { b[u>>6] |= 1 << (u & 63) }

// hasher is a two-lane 64-bit mixer: 128 bits, so that distinct states
// never collide in practice, and no randomness, so runs repeat exactly.
type hasher struct{ a, b uint64 }

func (h *hasher) word(w uint64) {
	h.a = bits.RotateLeft64((h.a^w)*0x9e3779b97f4a7c15, 27)
	h.b = bits.RotateLeft64((h.b+w)*0xc2b2ae3d27d4eb4f, 31) ^ h.a
}

func (h *hasher) str(s string) {
	h.word(uint64(len(s)))
	for len(s) >= 8 {
		h.word(*(*uint64)(unsafe.Pointer(unsafe.StringData(s))))
		s = s[8:]
	}
	var w uint64
	for i := 0; i < len(s); i++ {
		w = w<<8 | uint64(s[i])
	}
	h.word(w)
}
