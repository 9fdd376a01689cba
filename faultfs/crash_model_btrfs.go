package faultfs

// btrfsModel: btrfs, which commits metadata and data together in
// transactions and writes a log tree at fsync. A crash recovers the last
// committed transaction, then replays the log tree.
//
// A transaction holds every operation made before it began, and a data
// write only once its extent is written (delayed allocation), so a
// commit keeps a prefix of the metadata operations and, of the data
// writes before the cut, any subset, each torn only at 4 KiB blocks
// (copy-on-write with checksums: a block is the old one or the new one).
//
// The log tree carries an fsynced inode with its new names, and at times
// its parent directories and other inodes whose names conflict with it,
// without what came before it; and a rename or link of an inode logged
// earlier in the transaction syncs the log itself ("Btrfs: sync log after
// logging new name", 4.18). What exactly the log holds is intricate (and
// where CrashMonkey found most of its btrfs bugs), so the model does not
// try to follow it: every pending operation up to the last one that may
// write the log (an fsync, fdatasync, synchronous or failed fsync, or an
// entry operation on an inode or directory fsynced before it) may persist
// or not independently, as under posix. Only the operations after it
// obey the transaction order above.
//
// Like xfs, btrfs only starts writeback of a file renamed over another
// or closed after truncating it to zero (filemap_flush in btrfs_rename
// and btrfs_release_file); that orders nothing, so the model gives it no
// rule.
type btrfsModel struct{}

func (btrfsModel) Name() string { return "btrfs" }

// btrfsBlock is the unit a pending write may tear at under btrfs.
const btrfsBlock = 4096

func (btrfsModel) plan(h *History, point int, ops []int32) *plan {
	last := h.btrfsLastLogWrite(point)
	p := &plan{point: point}
	for _, j := range ops {
		i := int(j)
		o := &h.ops[i]
		switch {
		case !h.changesState(i) || h.lostAt[i] < point:
		case h.syncedAt[i] < point:
			p.addForced(h, i)
		case o.op.Kind == OpWrite:
			p.addPieces(i, blockPieces(o.off, int64(len(o.data)), btrfsBlock))
		case i <= last:
			p.data = append(p.data, p.addUnit(i, 0, 0))
		default:
			p.meta = append(p.meta, p.addUnit(i, 0, 0))
		}
	}
	p.index(h)
	return p
}

func (btrfsModel) candidates(p *plan, g *chooser) bool { return cutCandidates(p, g, true) }

// settledAt: what the plan forces or drops is what posix does (a pending
// operation stays a unit until an fsync makes it durable).
func (btrfsModel) settledAt(h *History, i int) (int, bool) { return posixModel{}.settledAt(h, i) }

// btrfsLastLogWrite returns the index of the last operation before point
// that may write btrfs's log tree, -1 if none.
func (h *History) btrfsLastLogWrite(point int) int {
	h.btrfsOnce.Do(func() {
		// lastLog[k]: the last such operation among the first k.
		h.btrfsLastLog = make([]int, len(h.ops)+1)
		last := -1
		synced := map[uint64]bool{}
		for i := range h.ops {
			o := &h.ops[i]
			k := o.op.Kind
			switch {
			case k == OpSync || k == OpDatasync || k == OpSyncDir || k == OpSyncFailed || k == OpWrite && o.op.Flag != 0:
				synced[o.ino] = true
				last = i
			case isEntryOp(k) && (synced[o.ino] || synced[o.dir] || synced[o.dir2] || synced[o.replaced]):
				last = i
			}
			h.btrfsLastLog[i+1] = last
		}
		h.btrfsLastLog[0] = -1
	})
	return h.btrfsLastLog[point]
}

// blockPieces splits a write of n bytes at file offset off at the
// boundaries of size-byte blocks into at most MaxTornPieces pieces,
// returning the cut points as offsets into the data (first 0, last n).
func blockPieces(off, n, size int64) []int64 {
	if n == 0 {
		return []int64{0, 0}
	}
	first := off / size
	last := (off + n - 1) / size
	blocks := last - first + 1
	pieces := min(blocks, MaxTornPieces)
	cuts := make([]int64, 0, pieces+1)
	cuts = append(cuts, 0)
	for j := int64(1); j < pieces; j++ {
		b := first + j*blocks/pieces // the block this piece starts at
		cuts = append(cuts, b*size-off)
	}
	return append(cuts, n)
}
