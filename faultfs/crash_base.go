package faultfs

import (
	"io/fs"
	"slices"
	"sync"
)

// The durable base: what every crash state at a point shares.
//
// An operation is settled at a crash point k when its fate there no longer
// depends on the point: under posix and btrfs, once the fsync that makes
// it durable (or the failed fsync that loses it) is before the point;
// under process, as soon as it is done; under xfs, a write as under
// posix, any other change once it is durable on its own or a log force
// commits it (xfsCommitted); under ext4-ordered, a metadata operation
// once a sync that commits the journal through it follows
// (ext4CommittedAt: the journal commits in order), a write once it is
// durable on its own or a committed flush carries it, or, if a failed
// fsync loses it, only after that failure. Settledness only grows with
// the point. Every crash state at k applies the durable settled
// operations, in order, and nothing of the lost ones.
//
// So rather than re-applying those operations in every state, and
// rebuilding the plan of every point from operation 0 (which made checking
// n durable appends cost n² in all), the history folds the settled
// operations into a durable base, and advances it incrementally as the
// points enumerated advance: a point's plan sorts only the operations the
// base has not folded (planOps), and a state starts from the base. Not
// every settled operation folds: one waits while an earlier operation on
// one of its objects (a directory whose entries it changes, an inode whose
// data or attributes it changes: objectsOf) has not folded, so that each
// object's operations apply in program order, the base's first, then the
// plan's, as a state applied them all itself; operations on distinct
// objects commute. A file created in a directory that is never synced
// thus holds back the directory's later entries, not every later write.
// The base is built with the same content and entry operations a state
// applies, so a state holds exactly the runs, entries and attributes it
// held when it applied everything itself: states, their order and their
// fingerprints are unchanged.
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

// durableBase is the state after applying the durable operations that
// settled before point upto (all but those in pending: see advance). Its tables hold what differs from the state at
// the start (crash_table.go, crash_entries.go: persistent, so that each
// base shares all but what its operations touched with the one before):
// files' attributes and content, directories' entries, who names an
// inode, and per key flavour (crash_key.go) the keys of the nodes whose
// keys differ.
type durableBase struct {
	upto    int     // the point it is the base of: ops from upto on are not considered
	pending []int32 // ops before upto not folded in, in order
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

// settling is a history's durable bases for one model: when each
// operation settles, and the base last built.
type settling struct {
	mu      sync.Mutex
	at      []int // settledAt of each op
	durable []bool
	last    *durableBase
}

// durableBaseAt returns the durable base of point under m.
func (h *History) durableBaseAt(m settlingModel, point int) *durableBase {
	h.settleMu.Lock()
	st := h.settle[m.Name()]
	if st == nil {
		st = &settling{at: make([]int, len(h.ops)), durable: make([]bool, len(h.ops))}
		for i := range h.ops {
			st.at[i], st.durable[i] = m.settledAt(h, i)
		}
		if h.settle == nil {
			h.settle = map[string]*settling{}
		}
		h.settle[m.Name()] = st
	}
	h.settleMu.Unlock()

	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.last
	if b == nil || b.upto > point {
		b = &durableBase{}
	}
	if b.upto < point {
		b = h.advance(b, point, st.at, st.durable)
	}
	st.last = b
	return b
}

// planOps returns the operations a plan at point must sort: those before
// point that base b has not folded, in order (all of them without a base).
func planOps(b *durableBase, point int) []int32 {
	var ops []int32
	from := 0
	if b != nil {
		ops = append(ops, b.pending...)
		from = b.upto
	}
	for i := from; i < point; i++ {
		ops = append(ops, int32(i))
	}
	return ops
}

// objectsOf appends to buf what op i's effect and the models' rules about
// it depend on: the directories an entry operation changes (and, for a
// rename, the renamed inode, whose pending writes ext4-ordered may flush
// with it), the inode a data or attribute operation changes, the file a
// close flushes. An operation that folds into a base must come after
// every earlier operation on its objects that did.
func (h *History) objectsOf(i int, buf []uint64) []uint64 {
	o := &h.ops[i]
	switch k := o.op.Kind; {
	case k == OpRename:
		return append(buf, o.dir, o.dir2, o.ino)
	case isEntryOp(k):
		return append(buf, o.dir)
	case isDataOp(k) || isAttrOp(k) || k == OpClose && o.truncZ:
		return append(buf, o.ino)
	}
	return buf
}

// advance returns base b, of an earlier point, as the base of point: the
// operations before point that settled there fold in, in order, except
// one that comes after an operation on one of its objects (objectsOf)
// that does not fold (is not settled, or itself waits): those wait in
// pending, with the ones not settled. Each object's folded operations
// are so a prefix of its operations, applied in their order, as a state
// applies them; operations on distinct objects commute. The result shares
// what the operations do not touch with b, and the keys of every flavour
// b has keys for are brought up to date.
//
// So an operation that never settles (a file created in a directory never
// synced) holds back only what touches the same objects, not every later
// operation.
func (h *History) advance(b *durableBase, point int, at []int, durable []bool) *durableBase {
	nb := &durableBase{upto: point, files: b.files, dirs: b.dirs, parents: b.parents}
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
	apply := func(i int) {
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
	waiting := map[uint64]bool{} // objects of operations left pending
	var objs []uint64
	consider := func(i int) {
		objs = h.objectsOf(i, objs[:0])
		wait := at[i] > point
		for _, x := range objs {
			wait = wait || waiting[x]
		}
		if wait {
			nb.pending = append(nb.pending, int32(i))
			for _, x := range objs {
				waiting[x] = true
			}
			return
		}
		if durable[i] {
			apply(i)
		}
	}
	for _, i := range b.pending {
		consider(int(i))
	}
	for i := b.upto; i < point; i++ {
		consider(i)
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
