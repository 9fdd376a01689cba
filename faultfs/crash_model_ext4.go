package faultfs

import (
	"os"
	"slices"
	"sort"
)

// ext4OrderedModel: ext4 with data=ordered and auto_da_alloc. Metadata
// operations reach the journal in order, so a crash keeps a prefix of them;
// data writes not yet synced may each be lost; a rename over an existing
// file and a close after truncating to zero flush the file's data first.
// Which prefix a sync commits is ext4CommittedAt's rule.
type ext4OrderedModel struct{}

func (ext4OrderedModel) Name() string { return "ext4-ordered" }

func (ext4OrderedModel) plan(h *History, point int, ops []int32) *plan {
	committed := h.ext4CommittedAt()
	// First pass: which pending writes a flush carries (auto_da_alloc), and
	// which of those flushes a journal commit already made durable before
	// the crash point.
	flushed := map[int][]int{} // flushing op -> the pending writes it carries
	forcedByFlush := map[int]bool{}
	sinceTrunc := map[uint64][]int{} // ino -> pending writes since its last truncation to zero
	all := map[uint64][]int{}        // ino -> every pending write
	for _, j := range ops {
		i := int(j)
		o := &h.ops[i]
		switch k := o.op.Kind; {
		case h.lostAt[i] < point:
		case k == OpWrite && h.syncedAt[i] >= point:
			sinceTrunc[o.ino] = append(sinceTrunc[o.ino], i)
			all[o.ino] = append(all[o.ino], i)
		case k == OpTruncate && o.off == 0:
			delete(sinceTrunc, o.ino)
		case k == OpClose && o.truncZ, k == OpRename && o.replaced != 0:
			carried := all[o.ino]
			if k == OpClose {
				carried = sinceTrunc[o.ino]
			}
			// A write an earlier committed flush already forced is
			// durable: this flush carries nothing more of it, and a
			// flush that carries nothing is no unit (the durable base
			// has folded such writes away, and must plan the same).
			carried = slices.DeleteFunc(slices.Clone(carried), func(w int) bool { return forcedByFlush[w] })
			if committed[i] < point {
				for _, w := range carried {
					forcedByFlush[w] = true
				}
			} else if len(carried) > 0 {
				flushed[i] = carried
			}
		}
	}
	p := &plan{point: point, attach: map[int32][]int32{}}
	unitOf := map[int]int32{}
	for _, j := range ops {
		i := int(j)
		o := &h.ops[i]
		switch k := o.op.Kind; {
		case h.lostAt[i] < point:
		case k == OpWrite:
			if h.syncedAt[i] < point || forcedByFlush[i] {
				p.addForced(h, i)
				continue
			}
			u := p.addUnit(i, 0, int64(len(o.data)))
			unitOf[i] = u
			p.data = append(p.data, u)
		case k == OpClose:
			if flushed[i] != nil {
				p.meta = append(p.meta, p.addUnit(i, 0, 0))
				unitOf[i] = p.meta[len(p.meta)-1]
			}
		case h.changesState(i):
			if committed[i] < point {
				p.addForced(h, i)
				continue
			}
			u := p.addUnit(i, 0, 0)
			unitOf[i] = u
			p.meta = append(p.meta, u)
		}
	}
	for i, ws := range flushed {
		for _, w := range ws {
			// A write an earlier, committed flush already made durable
			// has no unit: there is nothing more to attach.
			if u, ok := unitOf[w]; ok {
				p.attach[unitOf[i]] = append(p.attach[unitOf[i]], u)
			}
		}
	}
	p.index(h)
	return p
}

// settledAt: the journal commits metadata in order, so a metadata
// operation (and a flushing close) is settled once a sync that commits it
// (ext4CommittedAt) follows it; a write once it is durable on its own,
// or once a flush that carries it (auto_da_alloc) is committed; a write a
// failed fsync loses is settled, lost, only after that failure (until
// then a committed flush may still force it).
func (ext4OrderedModel) settledAt(h *History, i int) (int, bool) {
	n := len(h.ops)
	o := &h.ops[i]
	switch k := o.op.Kind; {
	case k == OpWrite:
		switch {
		case h.lostAt[i] < n:
			return h.lostAt[i] + 1, false
		case h.syncedAt[i] < n:
			return min(h.syncedAt[i]+1, h.ext4FlushedAt()[i]), true
		}
		return h.ext4FlushedAt()[i], true
	case k == OpClose && o.truncZ:
		return min(h.ext4CommittedAt()[i]+1, n+1), false
	case h.changesState(i):
		return min(h.ext4CommittedAt()[i]+1, n+1), true
	}
	return i + 1, false
}

// ext4FlushedAt returns, for each write, the first crash point at which a
// committed flush (a close after truncating to zero, or a rename over an
// existing file, then a sync that commits it) has forced it: len(h.ops)+1
// if none does. The earliest flush carrying a write is committed first
// (ext4CommittedAt never decreases), so one forward pass finds it.
func (h *History) ext4FlushedAt() []int {
	h.ext4Once.Do(h.ext4Commits)
	return h.ext4Flushed
}

// ext4CommittedAt returns, for each op, the index of the first sync that
// commits the journal through it under ext4 (len(h.ops) if none does).
//
// ext4 has one running transaction, so a commit makes every metadata
// operation so far durable. An fsync of a directory (or any inode not a
// regular file) always forces that commit (ext4_fsync_journal:
// ext4_force_commit for !S_ISREG). An fsync of a regular file, or an
// O_SYNC write to it, waits only for the transaction that last changed
// its inode (jbd2_complete_transaction of i_sync_tid), an fdatasync or an
// O_DSYNC write for the one that last changed what reading its data needs
// (i_datasync_tid): a file whose inode is clean commits nothing new.
//
// The rule is a floor: the changes counted as setting i_sync_tid are the
// metadata operations on the inode (its creation, links, unlinks, renames,
// truncations, mode and owner), those setting i_datasync_tid only its
// creation and truncations (__ext4_new_inode; a size change). A write
// counts as neither, though at writeback it allocates blocks and dirties
// the inode (so the kernel commits more: a looseness), and a failed fsync
// commits nothing. Nothing is assumed of the periodic commit (commit=,
// 5 s), which the model's prefixes already allow.
func (h *History) ext4CommittedAt() []int {
	h.ext4Once.Do(h.ext4Commits)
	return h.ext4Committed
}

// ext4Commits fills ext4Committed, then ext4Flushed.
func (h *History) ext4Commits() {
	n := len(h.ops)
	// through[j]: the first sync that commits through op j.
	through := make([]int, n)
	for j := range through {
		through[j] = n
	}
	commitThrough := func(j, sync int) {
		if j >= 0 && through[j] == n {
			through[j] = sync
		}
	}
	lastSync := map[uint64]int{}     // ino -> its last change that sets i_sync_tid
	lastDatasync := map[uint64]int{} // ino -> its last change that sets i_datasync_tid
	last := func(m map[uint64]int, ino uint64) int {
		if j, ok := m[ino]; ok {
			return j
		}
		return -1
	}
	for i := range h.ops {
		o := &h.ops[i]
		switch k := o.op.Kind; {
		case k == OpSyncDir:
			commitThrough(i-1, i)
		case k == OpSync, k == OpWrite && o.op.Flag == os.O_SYNC:
			commitThrough(last(lastSync, o.ino), i)
		case k == OpDatasync, k == OpWrite && o.op.Flag != 0:
			commitThrough(last(lastDatasync, o.ino), i)
		}
		if k := o.op.Kind; k != OpWrite && h.changesState(i) {
			lastSync[o.ino] = i
			if k == OpTruncate || o.created != nil {
				lastDatasync[o.ino] = i
			}
		}
	}
	committed := make([]int, n)
	next := n
	for i := n - 1; i >= 0; i-- {
		next = min(next, through[i])
		committed[i] = next
	}
	h.ext4Committed = committed
	h.ext4Flushed = h.ext4FlushesAt(committed)
}

// ext4FlushesAt computes ext4FlushedAt from committed (ext4CommittedAt).
func (h *History) ext4FlushesAt(committed []int) []int {
	n := len(h.ops)
	at := make([]int, n)
	for i := range at {
		at[i] = n + 1
	}
	waiting := map[uint64][]int{} // ino -> its writes no flush has carried yet, in order
	lastTrunc := map[uint64]int{} // ino -> its last truncation to zero
	for i := range h.ops {
		o := &h.ops[i]
		switch k := o.op.Kind; {
		case k == OpWrite:
			waiting[o.ino] = append(waiting[o.ino], i)
		case k == OpTruncate && o.off == 0:
			lastTrunc[o.ino] = i
		case k == OpClose && o.truncZ, k == OpRename && o.replaced != 0:
			ws := waiting[o.ino]
			cut := 0
			if t, ok := lastTrunc[o.ino]; ok && k == OpClose {
				// A close carries only the writes since the
				// last truncation to zero.
				cut = sort.SearchInts(ws, t)
			}
			for _, w := range ws[cut:] {
				at[w] = min(committed[i]+1, n+1)
			}
			waiting[o.ino] = ws[:cut]
		}
	}
	return at
}

// ext4Exhaustive reports whether the (m+1) journal prefixes times the 2^d
// subsets of the data writes number at most max, so that every one is
// offered. (Written as a shift of max: (m+1)<<d overflows for d near 62,
// and a point with 7 pending metadata operations and 60 writes was once
// enumerated "exhaustively", for ever.)
func ext4Exhaustive(m, d, max int) bool { return d < 62 && m+1 <= max>>d }

func (ext4OrderedModel) candidates(p *plan, g *chooser) bool {
	m, d := len(p.meta), len(p.data)
	state := func(cut int, dataMask func(j int) bool) []uint64 {
		b := g.empty(p.units)
		for j := 0; j < cut; j++ {
			setBit(b, p.meta[j])
			for _, w := range p.attach[p.meta[j]] {
				setBit(b, w)
			}
		}
		for j := 0; j < d; j++ {
			if dataMask(j) {
				setBit(b, p.data[j])
			}
		}
		return b
	}
	if ext4Exhaustive(m, d, g.max) {
		for cut := 0; cut <= m; cut++ {
			for mask := uint64(0); mask < 1<<d; mask++ {
				if !g.offer(state(cut, func(j int) bool { return mask&(1<<j) != 0 })) {
					return false
				}
			}
		}
		return true
	}
	for cut := 0; cut <= m; cut++ {
		if !g.offer(state(cut, func(int) bool { return true })) || !g.offer(state(cut, func(int) bool { return false })) {
			return false
		}
	}
	for cut := 0; cut <= m; cut++ {
		for drop := 0; drop < d; drop++ {
			if !g.offer(state(cut, func(j int) bool { return j != drop })) {
				return false
			}
		}
	}
	for g.more() {
		cut := g.rng.IntN(m + 1)
		if !g.offer(state(cut, func(int) bool { return g.rng.IntN(2) == 1 })) {
			return false
		}
	}
	return false
}
