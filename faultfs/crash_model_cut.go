package faultfs

// The cut enumeration the xfs and btrfs models share. A plan lists its
// metadata units in log order (p.meta) and its other free units (p.data).
// A crash state keeps a prefix of the metadata units (the cut: the log
// or the last transaction recovered up to there) and any subset of the
// free units that the cut allows: under xfs every free unit (data reaches
// disk independently of the log), under btrfs (dataAfterCut) only those
// whose operation comes before the first metadata unit left out (a data
// extent is committed in a transaction, which holds every earlier
// operation).

// cutRanks returns, for each free unit, the number of metadata units the
// cut must keep for it to be allowed: 0 for every one without
// dataAfterCut, else the number of metadata units before its operation.
func cutRanks(p *plan, dataAfterCut bool) []int {
	ranks := make([]int, len(p.data))
	if !dataAfterCut {
		return ranks
	}
	opOf := func(u int32) int32 { return p.items[p.pieces[u][0]].op }
	m := 0
	for j, u := range p.data { // p.data and p.meta are both in program order
		for m < len(p.meta) && opOf(p.meta[m]) < opOf(u) {
			m++
		}
		ranks[j] = m
	}
	return ranks
}

// cutCandidates offers every cut times every subset of the free units it
// allows while they number at most g.max; else, per cut, all and none of
// them and all but one, then a seeded random sample.
func cutCandidates(p *plan, g *chooser, dataAfterCut bool) bool {
	m := len(p.meta)
	ranks := cutRanks(p, dataAfterCut)
	allowed := func(cut int) []int { // indexes into p.data
		var a []int
		for j, r := range ranks {
			if r <= cut {
				a = append(a, j)
			}
		}
		return a
	}
	state := func(cut int, free []int, keep func(j int) bool) []uint64 {
		b := g.empty(p.units)
		for _, u := range p.meta[:cut] {
			setBit(b, u)
		}
		for j, d := range free {
			if keep(j) {
				setBit(b, p.data[d])
			}
		}
		return b
	}
	total := 0
	for cut := 0; cut <= m; cut++ {
		n := len(allowed(cut))
		if n >= 62 || total+1<<n > g.max {
			total = -1
			break
		}
		total += 1 << n
	}
	if total >= 0 {
		for cut := 0; cut <= m; cut++ {
			free := allowed(cut)
			for mask := uint64(0); mask < 1<<len(free); mask++ {
				if !g.offer(state(cut, free, func(j int) bool { return mask&(1<<j) != 0 })) {
					return false
				}
			}
		}
		return true
	}
	for cut := 0; cut <= m; cut++ {
		free := allowed(cut)
		if !g.offer(state(cut, free, func(int) bool { return true })) || !g.offer(state(cut, free, func(int) bool { return false })) {
			return false
		}
	}
	for cut := 0; cut <= m; cut++ {
		free := allowed(cut)
		for drop := range free {
			if !g.offer(state(cut, free, func(j int) bool { return j != drop })) {
				return false
			}
		}
	}
	for g.more() {
		cut := g.rng.IntN(m + 1)
		free := allowed(cut)
		if !g.offer(state(cut, free, func(int) bool { return g.rng.IntN(2) == 1 })) {
			return false
		}
	}
	// Many choices can give one state (a unit whose operation a later one
	// undoes), so the sample may end short of g.max while more states
	// exist. Sweep the small cuts in order until it is full: a sample holds
	// exactly g.max states whenever there are that many.
	for cut := 0; cut <= m && g.stats.States < g.max; cut++ {
		free := allowed(cut)
		if len(free) > sweepMaxFree {
			continue
		}
		for mask := uint64(0); mask < 1<<len(free) && g.stats.States < g.max; mask++ {
			if !g.offer(state(cut, free, func(j int) bool { return mask&(1<<j) != 0 })) {
				return false
			}
		}
	}
	return false
}

// sweepMaxFree bounds the cuts the closing sweep of cutCandidates
// enumerates whole: 2^16 choices at most per cut.
const sweepMaxFree = 16

// addPieces adds the pending write op i as units, one per piece between
// the cut points (offsets into its data), to p.data.
func (p *plan) addPieces(i int, cuts []int64) {
	for j := 0; j+1 < len(cuts); j++ {
		p.data = append(p.data, p.addUnit(i, cuts[j], cuts[j+1]))
	}
}
