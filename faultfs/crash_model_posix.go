package faultfs

// posixModel: the strictest reading of POSIX. Each pending operation may
// or may not persist, independently of every other; a pending write may
// persist sector by sector; a rename is one unit (old name or new name).
type posixModel struct{}

func (posixModel) Name() string { return "posix" }

func (posixModel) plan(h *History, point int, ops []int32) *plan {
	p := &plan{point: point}
	for _, j := range ops {
		i := int(j)
		switch {
		case !h.changesState(i) || h.lostAt[i] < point:
		case h.syncedAt[i] < point:
			p.addForced(h, i)
		case h.ops[i].op.Kind == OpWrite:
			o := &h.ops[i]
			cuts := writePieces(o.off, int64(len(o.data)))
			for j := 0; j+1 < len(cuts); j++ {
				p.addUnit(i, cuts[j], cuts[j+1])
			}
		default:
			p.addUnit(i, 0, 0)
		}
	}
	p.index(h)
	return p
}

// settledAt: an op is settled once the fsync that makes it durable, or the
// failed one that loses it, is done.
func (posixModel) settledAt(h *History, i int) (int, bool) {
	switch {
	case !h.changesState(i):
		return i + 1, false
	case h.lostAt[i] < len(h.ops):
		return h.lostAt[i] + 1, false
	case h.syncedAt[i] < len(h.ops):
		return h.syncedAt[i] + 1, true
	}
	return len(h.ops) + 1, false
}

func (posixModel) candidates(p *plan, g *chooser) bool {
	u := p.units
	if u < 62 && 1<<u <= g.max {
		for mask := uint64(0); mask < 1<<u; mask++ {
			if !g.offerMask(mask) {
				return false
			}
		}
		return true
	}
	// Too many to try them all: the states that find most bugs first
	// (ALICE's: every prefix of the pending operations, each one dropped,
	// each one alone), then a seeded random sample.
	all := g.full(u)
	for j := 0; j <= u; j++ { // prefixes
		if !g.offer(g.prefix(u, j)) {
			return false
		}
	}
	for j := 0; j < u; j++ { // one dropped, one kept
		if !g.offer(g.without(all, j)) || !g.offer(g.only(u, j)) {
			return false
		}
	}
	for g.more() {
		if !g.offer(g.random(u)) {
			return false
		}
	}
	return false
}

// SectorSize is the unit of tearing: under the posix model a write that is
// not yet durable may persist in part, sector by sector.
const SectorSize = 512

// MaxTornPieces bounds the pieces a torn write is split into: a write that
// spans more sectors is split at evenly spaced sector boundaries, so that a
// 64 MiB write is 8 pieces, not 131,072.
const MaxTornPieces = 8

// writePieces splits a write of n bytes at file offset off at sector
// boundaries into at most MaxTornPieces pieces, returning the cut points
// as offsets into the data (first 0, last n).
func writePieces(off, n int64) []int64 {
	if n == 0 {
		return []int64{0, 0}
	}
	first := off / SectorSize
	last := (off + n - 1) / SectorSize
	sectors := last - first + 1
	pieces := min(sectors, MaxTornPieces)
	cuts := make([]int64, 0, pieces+1)
	cuts = append(cuts, 0)
	for j := int64(1); j < pieces; j++ {
		s := first + j*sectors/pieces // the sector this piece starts at
		cuts = append(cuts, s*SectorSize-off)
	}
	return append(cuts, n)
}
