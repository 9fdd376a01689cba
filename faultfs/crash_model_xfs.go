package faultfs

// xfsModel: xfs, whose log holds every metadata change, in order, and no
// file data. A crash keeps a prefix of the metadata operations (the log
// up to its last complete checkpoint); a pending data write reaches the
// disk, or not, independently of the log and sector by sector (an
// overwrite in place is not logged at all), and nothing flushes a file's
// data at a rename (xfs has no auto_da_alloc). xfs_release does start
// writeback at the close of a file truncated earlier (XFS_ITRUNCATED),
// but filemap_flush does not wait and the truncation is logged first, so
// that orders nothing: the model gives it no rule.
//
// An fsync, fdatasync or synchronous write of a file, or an fsync of a
// directory, forces the log up to the last change logged for that inode
// (xfs_file_fsync, xfs_dir_fsync: xfs_log_force_seq of the inode's
// commit sequence), and the log is one sequence: every metadata operation
// up to that change is durable. Writes do not count as such a change
// (they log timestamps only, which fdatasync skips and a coarse clock may
// not change), so the rule is a floor, not all that the kernel commits.
type xfsModel struct{}

func (xfsModel) Name() string { return "xfs" }

func (xfsModel) plan(h *History, point int, ops []int32) *plan {
	committed := h.xfsCommitted()
	p := &plan{point: point}
	for _, j := range ops {
		i := int(j)
		o := &h.ops[i]
		switch {
		case !h.changesState(i) || h.lostAt[i] < point:
		case h.syncedAt[i] < point:
			p.addForced(h, i)
		case o.op.Kind == OpWrite:
			p.addPieces(i, writePieces(o.off, int64(len(o.data))))
		case committed[i] < point:
			p.addForced(h, i)
		default:
			p.meta = append(p.meta, p.addUnit(i, 0, 0))
		}
	}
	p.index(h)
	return p
}

func (xfsModel) candidates(p *plan, g *chooser) bool { return cutCandidates(p, g, false) }

// settledAt: a write is settled once the fsync that makes it durable, or
// the failed one that loses it, is done; any other change once it is
// durable on its own or a log force commits it.
func (xfsModel) settledAt(h *History, i int) (int, bool) {
	n := len(h.ops)
	switch {
	case !h.changesState(i):
		return i + 1, false
	case h.lostAt[i] < n:
		return h.lostAt[i] + 1, false
	}
	at := h.syncedAt[i]
	if h.ops[i].op.Kind != OpWrite {
		at = min(at, h.xfsCommitted()[i])
	}
	if at < n {
		return at + 1, true
	}
	return n + 1, false
}

// xfsLogged returns the inodes whose log items op i changes: the inode
// itself (its size, mode, owner, link count or ctime) and, for an entry
// operation, its directories. Writes are left out (see xfsModel).
func xfsLogged(o *logOp) []uint64 {
	k := o.op.Kind
	switch {
	case k == OpWrite:
		return nil
	case isEntryOp(k):
		return []uint64{o.ino, o.dir, o.dir2}
	}
	return []uint64{o.ino}
}

// isLogForce reports whether op k on its inode forces xfs's log for it.
func isLogForce(o *logOp) bool {
	switch o.op.Kind {
	case OpSync, OpDatasync, OpSyncDir:
		return true
	case OpWrite:
		return o.op.Flag != 0
	}
	return false
}

// xfsCommitted returns, per op, the index of the first log force that
// makes it durable under the xfs rule (len(h.ops) if none does).
func (h *History) xfsCommitted() []int {
	h.xfsOnce.Do(func() { h.xfsCommits = xfsCommits(h) })
	return h.xfsCommits
}

func xfsCommits(h *History) []int {
	n := len(h.ops)
	through := make([]int, n) // through[j]: the first force whose inode op j is the last logged change of
	for j := range through {
		through[j] = n
	}
	last := map[uint64]int{} // ino -> the last op that logged it
	for i := 0; i < n; i++ {
		o := &h.ops[i]
		if isLogForce(o) {
			if j, ok := last[o.ino]; ok && through[j] == n {
				through[j] = i
			}
		}
		if h.changesState(i) {
			for _, ino := range xfsLogged(o) {
				if ino != 0 {
					last[ino] = i
				}
			}
		}
	}
	committed := make([]int, n)
	next := n
	for i := n - 1; i >= 0; i-- {
		next = min(next, through[i])
		committed[i] = next
	}
	return committed
}
