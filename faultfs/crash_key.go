package faultfs

import (
	"io/fs"
	"slices"
	"sync"
)

// Tree keys: what a crash state holds, hashed so that a state costs what
// differs from its durable base, not what the tree holds.
//
// A node's key is a hash of its kind, attributes and content; a
// directory's content is the sum (lane by lane, modulo 2^64) of one hash
// per entry, of the entry's name and the key of the node it names. So the
// key of the root is a Merkle hash of the tree, and since a sum can take
// one entry out and put another in, a directory that changed in one entry
// gets its new key from its old one in that entry's time, whatever its
// size (the sum of random-looking values is an incremental set hash, as
// in Bellare and Micciancio's AdHash; nothing here is adversarial).
//
// The reference tree is the durable base of a crash point (or the state at
// the start, when there is none), whose every node's key is known: those
// the base changed in its tables, the rest in the history's (computed once
// from the snapshot). A plan's items touch a few inodes; those and their
// ancestors in the reference tree are the affected nodes. A node that is
// not affected has the same subtree in every state of the plan as in the
// reference (its entries and attributes are the reference's, and so,
// by induction, are its children's), so its key is the reference's. An
// affected directory's sum is the reference's, less the entries of the
// names that may differ (those the items name, and those leading to an
// affected child), plus those entries as the state has them. Advancing a
// durable base is the same computation, with the old base as reference.
//
// Two flavours share the scheme. Identity keys (the enumeration's
// fingerprint, 128 bits) name a file's content by the identity of its runs
// of memory and include the inode number, so two states are one only if
// they hold the same tree from the same writes. Content keys
// ([CrashState.ContentKey], SHA-256) name a file's content by its bytes,
// hashed per 64 KiB block at most once per history (blocks are recognised
// by the memory they are made of), so states that hold the same bytes
// from different writes get one key.
//
// A crash can leave a directory cycle. A reference tree with one is
// marked cyclic and its states are keyed from scratch; a state whose tree
// has a reachable cycle (found as a node met again while its key is being
// computed) is keyed by a walk cut at depth 64 instead, as a whole.

// treeKey is a key: 256 bits (identity keys use the first 128).
type treeKey [4]uint64

func (k treeKey) add(d treeKey) treeKey {
	return treeKey{k[0] + d[0], k[1] + d[1], k[2] + d[2], k[3] + d[3]}
}

func (k treeKey) sub(d treeKey) treeKey {
	return treeKey{k[0] - d[0], k[1] - d[1], k[2] - d[2], k[3] - d[3]}
}

// nodeKey is a node's key and, for a directory, the sum of its entries.
type nodeKey struct {
	key, sum treeKey
}

// keyFlavor says which key: identityKeys or contentKeys.
type keyFlavor int

const (
	identityKeys keyFlavor = iota
	contentKeys
	flavors
)

// keyedTree is a tree whose keys a keyer computes: a crash state, or a
// durable base being built.
type keyedTree interface {
	// child returns the inode name refers to in directory dir.
	child(dir uint64, name string) (uint64, bool)
	// attrs returns an inode's mode, owner and content (regular files).
	attrs(ino uint64) (mode fs.FileMode, uid, gid int, c Content)
	// allEntries returns directory dir's entries, sorted by name.
	allEntries(dir uint64) []dirent
}

// affNode is an affected node: names of its entries that may differ from
// the reference (sorted), or all of them.
type affNode struct {
	names []string
	all   bool
}

// affectedBy returns the affected nodes of a reference tree when the
// inodes of touched change: those (with the entry names they change, or
// all for a nil list) and their ancestors (with the names leading to
// them).
func (r keyRef) affectedBy(touched map[uint64]*affNode) map[uint64]*affNode {
	aff := make(map[uint64]*affNode, 2*len(touched))
	stack := make([]uint64, 0, len(touched))
	for ino, a := range touched {
		aff[ino] = &affNode{names: slices.Clone(a.names), all: a.all}
		stack = append(stack, ino)
	}
	for len(stack) > 0 {
		ino := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range r.parents(ino) {
			a := aff[p.ino]
			if a == nil {
				a = &affNode{}
				aff[p.ino] = a
				stack = append(stack, p.ino)
			}
			a.names = append(a.names, p.name)
		}
	}
	for _, a := range aff {
		slices.Sort(a.names)
		a.names = slices.Compact(a.names)
	}
	return aff
}

// keyer computes the keys of a tree against a reference. aff nil: every
// node is affected (keyed from scratch).
type keyer struct {
	h      *History
	fl     keyFlavor
	ref    keyRef
	aff    map[uint64]*affNode
	t      keyedTree
	memo   inoCache[nodeKey]
	busy   inoCache[struct{}]
	cyclic bool
	buf    []byte
}

func (k *keyer) reset(fl keyFlavor, ref keyRef, aff map[uint64]*affNode, t keyedTree) {
	k.fl, k.ref, k.aff, k.t, k.cyclic = fl, ref, aff, t, false
	k.memo.reset()
	k.busy.reset()
}

// key returns the key of inode ino in the tree.
func (k *keyer) key(ino uint64) nodeKey {
	var a *affNode
	if k.aff != nil {
		if a = k.aff[ino]; a == nil {
			return k.ref.key(k.fl, ino)
		}
	}
	if v, ok := k.memo.get(ino); ok {
		return v
	}
	if _, ok := k.busy.get(ino); ok || k.cyclic {
		k.cyclic = true
		return nodeKey{}
	}
	k.busy.put(ino, struct{}{})
	n := k.h.inode(ino)
	mode, uid, gid, c := k.t.attrs(ino)
	var v nodeKey
	switch n.kind {
	case fs.ModeDir:
		if a == nil || a.all {
			for _, e := range k.t.allEntries(ino) {
				v.sum = v.sum.add(k.entryKey(e.name, k.key(e.ino).key))
			}
		} else {
			v.sum = k.ref.key(k.fl, ino).sum
			for _, name := range a.names {
				if c, ok := k.ref.child(ino, name); ok {
					v.sum = v.sum.sub(k.entryKey(name, k.ref.key(k.fl, c).key))
				}
				if c, ok := k.t.child(ino, name); ok {
					v.sum = v.sum.add(k.entryKey(name, k.key(c).key))
				}
			}
		}
		v.key = k.dirKey(mode, uid, gid, v.sum)
	case fs.ModeSymlink:
		v.key = k.linkKey(mode, uid, gid, n.target)
	default:
		v.key = k.fileKey(ino, n.kind|mode, uid, gid, c)
	}
	k.memo.put(ino, v)
	return v
}

// keyRef is the reference a plan's states are keyed against: a durable
// base of h, or the state at the start (b nil).
type keyRef struct {
	h *History
	b *durableBase
}

// key returns inode ino's key in the reference.
func (r keyRef) key(fl keyFlavor, ino uint64) nodeKey {
	if r.b != nil {
		if v, ok := r.b.keys[fl].get(ino); ok {
			return v
		}
	}
	if v, ok := r.h.initialKeys(fl)[ino]; ok {
		return v
	}
	// Created during the history and not yet in the base: as made.
	n := r.h.inode(ino)
	k := keyer{h: r.h, fl: fl}
	switch n.kind {
	case fs.ModeDir:
		return nodeKey{key: k.dirKey(n.mode, n.uid, n.gid, treeKey{})}
	case fs.ModeSymlink:
		return nodeKey{key: k.linkKey(n.mode, n.uid, n.gid, n.target)}
	}
	return nodeKey{key: k.fileKey(ino, n.kind|n.mode, n.uid, n.gid, Content{})}
}

// child returns the inode name refers to in directory dir of the reference.
func (r keyRef) child(dir uint64, name string) (uint64, bool) {
	if r.b != nil {
		if t, ok := r.b.dirs.get(dir); ok {
			return t.get(name)
		}
	}
	e := r.h.initialEntries(dir)
	if i, ok := findEntry(e, name); ok {
		return e[i].ino, true
	}
	return 0, false
}

// parents returns the entries that name inode ino in the reference, as
// (name, directory) pairs.
func (r keyRef) parents(ino uint64) []dirent {
	if r.b != nil {
		if p, ok := r.b.parents.get(ino); ok {
			return p
		}
	}
	return r.h.initialParents()[ino]
}

// attrs, allEntries: the reference as a keyedTree.
func (r keyRef) attrs(ino uint64) (fs.FileMode, int, int, Content) {
	if bf := r.b.file(ino); bf != nil {
		return bf.mode, bf.uid, bf.gid, Content{ext: bf.ext, size: bf.size}
	}
	n := r.h.inode(ino)
	d := r.h.initialData(ino)
	c := Content{size: int64(len(d))}
	if len(d) > 0 {
		c.ext = []extent{{data: d}}
	}
	return n.mode, n.uid, n.gid, c
}

func (r keyRef) allEntries(dir uint64) []dirent {
	if r.b != nil {
		if t, ok := r.b.dirs.get(dir); ok {
			return t.appendTo(nil)
		}
	}
	return r.h.initialEntries(dir)
}

// historyKeys is what a history computes once: the keys of the tree at the
// start, per flavour, and who names each inode there.
type historyKeys struct {
	once    [flavors]sync.Once
	initial [flavors]map[uint64]nodeKey
	pOnce   sync.Once
	parents map[uint64][]dirent
	blocks  blockHashes
}

// initialKeys returns every key of the tree at the start.
func (h *History) initialKeys(fl keyFlavor) map[uint64]nodeKey {
	h.keys.once[fl].Do(func() {
		k := &keyer{h: h, fl: fl, t: keyRef{h: h}}
		k.ref = keyRef{h: h}
		keys := make(map[uint64]nodeKey, len(h.base.inodes))
		// The snapshot is a tree (Mem keeps one): every key from scratch.
		for ino := range h.base.inodes {
			keys[ino] = k.key(ino)
		}
		h.keys.initial[fl] = keys
	})
	return h.keys.initial[fl]
}

// initialParents returns, per inode of the tree at the start, the entries
// naming it: (name, directory).
func (h *History) initialParents() map[uint64][]dirent {
	h.keys.pOnce.Do(func() {
		p := make(map[uint64][]dirent, len(h.base.inodes))
		for dir, n := range h.base.inodes {
			for _, e := range n.entries {
				p[e.ino] = append(p[e.ino], dirent{name: e.name, ino: dir})
			}
		}
		h.keys.parents = p
	})
	return h.keys.parents
}
