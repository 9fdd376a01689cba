package faultfs

import (
	"io/fs"
	"sort"
	"sync"
)

// The durable base: what every crash state at a point shares.
//
// An operation is settled at a crash point when its fate there no longer
// depends on the point: under posix, once the fsync that makes it durable
// (or the failed fsync that loses it) is before the point; under process,
// as soon as it is done; under ext4-ordered, a metadata operation once a
// sync that commits the journal through it follows (ext4CommittedAt: the
// journal commits in order), a write once it is durable on its own or a
// committed flush carries it, or, if a failed fsync loses it, only after
// that failure. Settledness only grows with the point. The settled prefix S(k) of point k is the longest run of operations from
// the start that are all settled at k; every crash state at k applies the
// durable ones among them, in order, and nothing of the lost ones.
//
// So rather than re-applying those operations in every state, and
// rebuilding the plan of every point from operation 0 (which made checking
// n durable appends cost n² in all), the history folds the settled prefix
// into a durable base once, and advances it incrementally as the points
// enumerated advance: a point's plan covers only the operations from S(k)
// on, and a state starts from the base. The base is built with the same
// content and entry operations a state applies, in the same order, so a
// state holds exactly the runs, entries and attributes it held when it
// applied everything itself: states, their order and their fingerprints
// are unchanged.
//
// TestDurableBaseChangesNothing checks this against planning every point
// from operation 0, for every settling model.
//
// A base, once made, is never changed (states of concurrent enumerations
// may share it); advancing copies the tables and what it touches.
//
// Limit: the tables are plain maps and a directory's entries a plain
// slice, so advancing costs the number of inodes plus the size of each
// directory touched, and a state's fingerprint hashes the whole tree: a
// history creating n files in one directory is checked in time n², not n
// (BenchmarkCreateFiles). Persistent tables, and fingerprints combined
// from cached per-entry hashes, would make both cost what changed.

// settlingModel is a model whose operations settle one by one (see above).
type settlingModel interface {
	Model
	// settledAt returns the first crash point at which op i is settled,
	// and whether it is then durable (else lost, or no change at all);
	// len(h.ops)+1 if it never is.
	settledAt(h *History, i int) (point int, durable bool)
}

// durableBase is the state after applying the durable operations of the
// first upto, all settled.
type durableBase struct {
	upto  int
	files map[uint64]*baseFile
	dirs  map[uint64][]dirent
}

// baseFile is an inode's attributes and content in a durable base.
type baseFile struct {
	mode     fs.FileMode
	uid, gid int
	ext      []extent // never appended to in place: its capacity is clipped
	size     int64
}

// settling is a history's durable bases for one model: the prefix maxima
// of settledAt, and the base last built.
type settling struct {
	mu      sync.Mutex
	reach   []int // reach[s]: the largest settledAt of ops before s (reach[0] = 0)
	durable []bool
	last    *durableBase
}

// settledPrefix returns S(point).
func (st *settling) settledPrefix(point int) int {
	// reach is non-decreasing: the largest s <= point with reach[s] <= point.
	s := sort.Search(point+1, func(s int) bool { return st.reach[s] > point })
	return s - 1
}

// durableBaseAt returns the durable base of point under m.
func (h *History) durableBaseAt(m settlingModel, point int) *durableBase {
	h.settleMu.Lock()
	st := h.settle[m.Name()]
	if st == nil {
		st = &settling{reach: make([]int, len(h.ops)+1), durable: make([]bool, len(h.ops))}
		for i := range h.ops {
			at, durable := m.settledAt(h, i)
			st.reach[i+1] = max(st.reach[i], at)
			st.durable[i] = durable
		}
		if h.settle == nil {
			h.settle = map[string]*settling{}
		}
		h.settle[m.Name()] = st
	}
	h.settleMu.Unlock()

	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.settledPrefix(point)
	b := st.last
	if b == nil || b.upto > s {
		b = &durableBase{}
	}
	if b.upto < s {
		b = h.advance(b, s, st.durable)
	}
	st.last = b
	return b
}

// advance returns base b with the durable operations of [b.upto, upto)
// applied, sharing what they do not touch.
func (h *History) advance(b *durableBase, upto int, durable []bool) *durableBase {
	nb := &durableBase{upto: upto, files: make(map[uint64]*baseFile, len(b.files)), dirs: make(map[uint64][]dirent, len(b.dirs))}
	for ino, f := range b.files {
		nb.files[ino] = f
	}
	for ino, e := range b.dirs {
		nb.dirs[ino] = e
	}
	touchedDirs := map[uint64]bool{}
	builders := map[uint64]*fileView{}
	entries := func(dir uint64) []dirent {
		if !touchedDirs[dir] {
			touchedDirs[dir] = true
			e, ok := nb.dirs[dir]
			if !ok {
				e = h.initialEntries(dir)
			}
			nb.dirs[dir] = append(make([]dirent, 0, len(e)+1), e...)
		}
		return nb.dirs[dir]
	}
	file := func(ino uint64) *fileView {
		if f, ok := builders[ino]; ok {
			return f
		}
		f := &fileView{}
		if bf, ok := nb.files[ino]; ok {
			f.mode, f.uid, f.gid = bf.mode, bf.uid, bf.gid
			f.cb.resetExt(bf.ext, bf.size)
		} else {
			n := h.inode(ino)
			f.mode, f.uid, f.gid = n.mode, n.uid, n.gid
			f.cb.reset(h.initialData(ino))
		}
		builders[ino] = f
		return f
	}
	for i := b.upto; i < upto; i++ {
		if !durable[i] {
			continue
		}
		o := &h.ops[i]
		switch k := o.op.Kind; {
		case isEntryOp(k):
			nb.dirs[o.dir] = applyEntry(entries(o.dir), o, o.dir)
			if k == OpRename && o.dir2 != o.dir {
				nb.dirs[o.dir2] = applyEntry(entries(o.dir2), o, o.dir2)
			}
		case isDataOp(k) || isAttrOp(k):
			applyFileOp(file(o.ino), o, 0, int64(len(o.data)))
		}
	}
	for ino, f := range builders {
		ext := append([]extent(nil), f.cb.ext...)
		nb.files[ino] = &baseFile{mode: f.mode, uid: f.uid, gid: f.gid, ext: ext[:len(ext):len(ext)], size: f.cb.size}
	}
	for dir := range touchedDirs {
		e := nb.dirs[dir]
		nb.dirs[dir] = e[:len(e):len(e)]
	}
	return nb
}

// file returns inode ino as the base has it, nil if as at the start (or
// there is no base).
func (b *durableBase) file(ino uint64) *baseFile {
	if b == nil {
		return nil
	}
	return b.files[ino]
}

// entries returns directory dir's entries in the base, if it changed them.
func (b *durableBase) entries(dir uint64) ([]dirent, bool) {
	if b == nil {
		return nil, false
	}
	e, ok := b.dirs[dir]
	return e, ok
}

// settled returns how many operations the base holds (0 for none).
func (b *durableBase) settled() int {
	if b == nil {
		return 0
	}
	return b.upto
}
