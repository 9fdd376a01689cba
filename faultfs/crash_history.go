package faultfs

import (
	"sort"
	"sync"
)

// History is an immutable record of a Mem: the durable state at its last
// MakeDurable and every disk-changing operation since. Crash point k is the
// moment after the first k operations; a History of n operations has n+1
// crash points, from 0 (nothing done) to n (everything done).
type History struct {
	base   *snapshot
	ops    []logOp
	inodes map[uint64]*snapInode // every inode the history knows: base and created

	// For each op, the index of the op that makes it durable on its own
	// (an fsync of its file, or of its directory or directories), or
	// len(ops) if none; and the index of the failed fsync that loses it.
	syncedAt []int
	lostAt   []int

	acks []AckMark // every OpAck, in order

	settleMu sync.Mutex
	settle   map[string]*settling // model name -> its durable bases (crash_base.go)

	keys historyKeys // crash_key.go

	xfsOnce    sync.Once
	xfsCommits []int // xfsCommitted

	btrfsOnce    sync.Once
	btrfsLastLog []int // btrfsLastLogWrite

	ext4Once      sync.Once
	ext4Flushed   []int // ext4FlushedAt
	ext4Committed []int // ext4CommittedAt
}

// An AckMark is an acknowledgement made through [Acker.Ack]: the index of
// its OpAck in the history's log, and its label.
type AckMark struct {
	Op    int
	Label string
}

// AcksBefore returns the acknowledgements made before crash point point,
// that is among the first point operations, in order. An ack at op index
// a is in AcksBefore(a+1) and later points, not in AcksBefore(a): a crash
// at point a came before the acknowledgement, one at a+1 after it, and
// both leave the same disk states. The slice is shared: do not modify it.
func (h *History) AcksBefore(point int) []AckMark {
	n := sort.Search(len(h.acks), func(j int) bool { return h.acks[j].Op >= point })
	return h.acks[:n:n]
}

func newHistory(base *snapshot, ops []logOp) *History {
	h := &History{base: base, ops: ops, inodes: make(map[uint64]*snapInode, len(base.inodes))}
	for ino, n := range base.inodes {
		h.inodes[ino] = n
	}
	for i := range ops {
		if c := ops[i].created; c != nil {
			h.inodes[c.ino] = c
		}
		if ops[i].op.Kind == OpAck {
			h.acks = append(h.acks, AckMark{Op: i, Label: ops[i].op.Path})
		}
	}
	h.computeSyncs()
	return h
}

// Ops returns the logged operations.
func (h *History) Ops() []Op {
	ops := make([]Op, len(h.ops))
	for i := range h.ops {
		ops[i] = h.ops[i].op
	}
	return ops
}

// Points returns the number of crash points: len(Ops())+1.
func (h *History) Points() int { return len(h.ops) + 1 }

// changesState reports whether op i changes files or directories (as
// opposed to syncing or closing them).
func (h *History) changesState(i int) bool {
	k := h.ops[i].op.Kind
	return isDataOp(k) || isAttrOp(k) || isEntryOp(k)
}

// InitialState returns the durable state the history starts from, as a
// crash state (every operation dropped).
func (h *History) InitialState() *CrashState {
	p := &plan{point: 0}
	p.prepare(h)
	s := newCrashState(h, p, "initial")
	s.reset(nil)
	return s
}

// Final returns a fresh Mem holding the state after every logged operation:
// what an uninterrupted run leaves.
func (h *History) Final() *Mem { return h.FinalState().Mem() }

// FinalState returns the state after every logged operation, as a crash
// state (every operation kept).
func (h *History) FinalState() *CrashState {
	p := &plan{point: len(h.ops)}
	for i := range h.ops {
		if h.changesState(i) {
			p.addForced(h, i)
		}
	}
	p.index(h)
	p.prepare(h)
	s := newCrashState(h, p, "final")
	s.reset(nil)
	return s
}

// inode returns what the history knows of inode ino at the start.
func (h *History) inode(ino uint64) *snapInode { return h.inodes[ino] }

// initialEntries returns directory ino's entries at the start.
func (h *History) initialEntries(ino uint64) []dirent {
	if n := h.base.inodes[ino]; n != nil {
		return n.entries
	}
	return nil
}

// initialData returns file ino's data at the start (nil for a file created
// during the history).
func (h *History) initialData(ino uint64) []byte {
	if n := h.base.inodes[ino]; n != nil {
		return n.data
	}
	return nil
}
