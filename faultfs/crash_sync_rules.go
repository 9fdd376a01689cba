package faultfs

import "os"

// The sync rules every model but process shares: which later operation
// makes a logged operation durable on its own, and which failed fsync
// loses it. The models read them as History.syncedAt and lostAt.

// computeSyncs fills syncedAt and lostAt in one backward pass.
//
// What makes an op on a file durable: fsync makes all of it durable;
// fdatasync its writes and truncations (data and size), not its mode or
// owner; a write through a handle opened with O_DSYNC or O_SYNC is durable
// when it returns (itself only, as Linux syncs the written range), and one
// with O_SYNC also makes the file's earlier metadata durable (truncations,
// mode, owner).
func (h *History) computeSyncs() {
	n := len(h.ops)
	h.syncedAt = make([]int, n)
	h.lostAt = make([]int, n)
	nextDataSync := map[uint64]int{} // ino -> index of next fsync or fdatasync of it
	nextMetaSync := map[uint64]int{} // ino -> index of next fsync or O_SYNC write of it
	nextFileFail := map[uint64]int{} // ino -> index of next failed fsync of it
	nextDirSync := map[uint64]int{}  // dir ino -> index of next fsync of it
	next := func(m map[uint64]int, ino uint64) int {
		if j, ok := m[ino]; ok {
			return j
		}
		return n
	}
	for i := n - 1; i >= 0; i-- {
		o := &h.ops[i]
		h.syncedAt[i], h.lostAt[i] = n, n
		switch k := o.op.Kind; {
		case k == OpSync:
			nextDataSync[o.ino] = i
			nextMetaSync[o.ino] = i
		case k == OpDatasync:
			nextDataSync[o.ino] = i
		case k == OpSyncDir:
			nextDirSync[o.ino] = i
		case k == OpSyncFailed:
			nextFileFail[o.ino] = i
		case k == OpWrite && o.op.Flag != 0:
			// Synchronous: durable as it returns, so never lost by a
			// later failure (for ext4, a sync: ext4CommittedAt).
			h.syncedAt[i] = i
			if o.op.Flag == os.O_SYNC {
				nextMetaSync[o.ino] = i
			}
		case k == OpWrite:
			// A failed fsync loses the data written since the last good
			// one.
			s, f := next(nextDataSync, o.ino), next(nextFileFail, o.ino)
			if f < s {
				h.lostAt[i] = f
			} else {
				h.syncedAt[i] = s
			}
		case k == OpTruncate:
			// A truncation is not data written (it changes the inode's
			// size, metadata that a failed fsync leaves pending).
			h.syncedAt[i] = min(next(nextDataSync, o.ino), next(nextMetaSync, o.ino))
		case isAttrOp(k):
			h.syncedAt[i] = next(nextMetaSync, o.ino)
		case k == OpRename:
			h.syncedAt[i] = max(next(nextDirSync, o.dir), next(nextDirSync, o.dir2))
		case isEntryOp(k):
			h.syncedAt[i] = next(nextDirSync, o.dir)
		}
	}
}
