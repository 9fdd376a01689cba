package faultfs

import (
	"io/fs"
	"slices"
	"sort"
	"sync"
)

// The durable base: what every crash state at a point shares.
//
// An operation is settled at a crash point when its fate there no longer
// depends on the point: under posix and btrfs, once the fsync that makes
// it durable (or the failed fsync that loses it) is before the point;
// under process, as soon as it is done; under xfs, a write as under
// posix, any other change once it is durable on its own or a log force
// commits it (xfsCommitted); under ext4-ordered, a metadata operation
// once a sync that commits the journal through it follows
// (ext4CommittedAt: the journal commits in order), a write once it is
// durable on its own or a committed flush carries it, or, if a failed
// fsync loses it, only after that failure. Settledness only grows with
// the point. The settled prefix S(k) of point k is the longest run of
// operations from the start that are all settled at k; every crash state
// at k applies the durable ones among them, in order, and nothing of the
// lost ones.
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
// from operation 0, for every model.
//
// A base, once made, is never changed (states of concurrent enumerations
// may share it; its keys are filled in once, under its lock). Its tables
// are persistent (an inode trie, crash_table.go; a B+tree of each
// directory's entries, crash_entries.go), so advancing shares everything
// but the paths to what the operations touch: it costs O(log n) per
// entry or inode touched, not the number of inodes or the size of a
// directory. The keys of the new base's nodes (crash_key.go) are brought
// up to date the same way, against the old base: the nodes touched and
// their ancestors. A state costs what its pending operations touch, so a
// history creating n files in one directory is checked in time n log n
// (BenchmarkCreateFiles).

// settlingModel is a model whose operations settle one by one (see above).
type settlingModel interface {
	Model
	// settledAt returns the first crash point at which op i is settled,
	// and whether it is then durable (else lost, or no change at all);
	// len(h.ops)+1 if it never is.
	settledAt(h *History, i int) (point int, durable bool)
}

// durableBase is the state after applying the durable operations of the
// first upto, all settled. Its tables hold what differs from the state at
// the start (crash_table.go, crash_entries.go: persistent, so that each
// base shares all but what its operations touched with the one before):
// files' attributes and content, directories' entries, who names an
// inode, and per key flavour (crash_key.go) the keys of the nodes whose
// keys differ.
type durableBase struct {
	upto    int
	files   inoTable[*baseFile]
	dirs    inoTable[entryTree]
	parents inoTable[[]dirent] // (name, directory) pairs naming the inode

	mu     sync.Mutex // guards what follows: keys are made on demand
	keys   [flavors]inoTable[nodeKey]
	keyed  [flavors]bool // keys[fl] is complete
	cyclic bool          // the tree has a directory cycle: no keys
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
// applied, sharing what they do not touch, and the keys of every flavour
// b has keys for brought up to date.
func (h *History) advance(b *durableBase, upto int, durable []bool) *durableBase {
	nb := &durableBase{upto: upto, files: b.files, dirs: b.dirs, parents: b.parents}
	touched := map[uint64]*affNode{}
	touch := func(ino uint64, name string) {
		a := touched[ino]
		if a == nil {
			a = &affNode{}
			touched[ino] = a
		}
		if name != "" {
			a.names = append(a.names, name)
		}
	}
	prev := keyRef{h: h, b: b}
	parents := func(ino uint64) []dirent {
		if p, ok := nb.parents.get(ino); ok {
			return p
		}
		return h.initialParents()[ino]
	}
	link := func(ino, dir uint64, name string) {
		nb.parents = nb.parents.set(ino, append(slices.Clip(parents(ino)), dirent{name: name, ino: dir}))
	}
	unlink := func(ino, dir uint64, name string) {
		p := parents(ino)
		if i := slices.Index(p, dirent{name: name, ino: dir}); i >= 0 {
			nb.parents = nb.parents.set(ino, slices.Delete(slices.Clone(p), i, i+1))
		}
	}
	tree := func(dir uint64) entryTree {
		if t, ok := nb.dirs.get(dir); ok {
			return t
		}
		return entryTreeOf(h.initialEntries(dir))
	}
	setEntry := func(dir uint64, name string, ino uint64) {
		t := tree(dir)
		cur, ok := t.get(name)
		if ok && cur == ino {
			return
		}
		if ok {
			unlink(cur, dir, name)
		}
		nb.dirs = nb.dirs.set(dir, t.set(name, ino))
		link(ino, dir, name)
		touch(dir, name)
	}
	removeEntry := func(dir uint64, name string, ino uint64) {
		t := tree(dir)
		if cur, ok := t.get(name); ok && cur == ino {
			nb.dirs = nb.dirs.set(dir, t.remove(name))
			unlink(ino, dir, name)
			touch(dir, name)
		}
	}
	builders := map[uint64]*fileView{}
	file := func(ino uint64) *fileView {
		if f, ok := builders[ino]; ok {
			return f
		}
		f := &fileView{}
		mode, uid, gid, c := prev.attrs(ino)
		f.mode, f.uid, f.gid = mode, uid, gid
		f.cb.resetExt(c.ext, c.size)
		builders[ino] = f
		return f
	}
	for i := b.upto; i < upto; i++ {
		if !durable[i] {
			continue
		}
		o := &h.ops[i]
		switch k := o.op.Kind; {
		case k == OpRemove || k == OpRmdir:
			removeEntry(o.dir, o.name, o.ino)
		case k == OpRename:
			removeEntry(o.dir, o.name, o.ino)
			setEntry(o.dir2, o.name2, o.ino)
		case isEntryOp(k): // create, mkdir, symlink, link, mknod
			setEntry(o.dir, o.name, o.ino)
		case isDataOp(k) || isAttrOp(k):
			applyFileOp(file(o.ino), o, 0, int64(len(o.data)))
			touch(o.ino, "")
		}
	}
	for ino, f := range builders {
		ext := append([]extent(nil), f.cb.ext...)
		nb.files = nb.files.set(ino, &baseFile{mode: f.mode, uid: f.uid, gid: f.gid, ext: ext[:len(ext):len(ext)], size: f.cb.size})
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cyclic {
		return nb
	}
	var aff map[uint64]*affNode
	for fl := range flavors {
		if !b.keyed[fl] {
			continue
		}
		if aff == nil {
			aff = prev.affectedBy(touched)
		}
		if !nb.keyFrom(h, fl, prev, aff, b.keys[fl]) {
			break
		}
	}
	return nb
}

// keyFrom computes the keys of b's nodes in aff, against ref, whose keys
// are keys; false if b has a directory cycle.
func (b *durableBase) keyFrom(h *History, fl keyFlavor, ref keyRef, aff map[uint64]*affNode, keys inoTable[nodeKey]) bool {
	k := &keyer{h: h}
	k.reset(fl, ref, aff, keyRef{h: h, b: b})
	inos := make([]uint64, 0, len(aff))
	for ino := range aff {
		inos = append(inos, ino)
	}
	slices.Sort(inos)
	for _, ino := range inos {
		keys = keys.set(ino, k.key(ino))
		if k.cyclic {
			b.cyclic = true
			b.keys, b.keyed = [flavors]inoTable[nodeKey]{}, [flavors]bool{}
			return false
		}
	}
	b.keys[fl], b.keyed[fl] = keys, true
	return true
}

// ensureKeys makes b's keys of flavour fl, if it has none yet: from
// scratch, against the state at the start (every inode its tables hold is
// touched). It reports false if b has a directory cycle (and so no keys).
func (b *durableBase) ensureKeys(h *History, fl keyFlavor) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.keyed[fl] || b.cyclic {
		return !b.cyclic
	}
	touched := map[uint64]*affNode{}
	b.files.each(func(ino uint64, _ *baseFile) { touched[ino] = &affNode{} })
	b.dirs.each(func(ino uint64, _ entryTree) { touched[ino] = &affNode{all: true} })
	ref := keyRef{h: h}
	return b.keyFrom(h, fl, ref, ref.affectedBy(touched), inoTable[nodeKey]{})
}

// file returns inode ino as the base has it, nil if as at the start (or
// there is no base).
func (b *durableBase) file(ino uint64) *baseFile {
	if b == nil {
		return nil
	}
	f, _ := b.files.get(ino)
	return f
}

// settled returns how many operations the base holds (0 for none).
func (b *durableBase) settled() int {
	if b == nil {
		return 0
	}
	return b.upto
}
