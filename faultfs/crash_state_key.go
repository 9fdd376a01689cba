package faultfs

import (
	"crypto/sha256"
	"encoding/binary"
	"io/fs"
)

// A crash state's keys (crash_key.go): the fingerprint that de-duplicates
// states within a point, and the content key that callers compare states
// by across points and models.

// ContentKey returns a SHA-256-based key of what the state holds, from the
// root: every entry's name, type and permission bits, owner and group,
// then a directory's entries, a symbolic link's target, a file's size and
// bytes. Two states with one key hold the same tree (distinct trees share
// a key only if SHA-256 collides); two that hold the same bytes reached by
// different writes, or at different crash points or under different
// models, share a key. Times, inode numbers and link counts are not in it.
//
// It costs what the state changes relative to its point's durable base
// (the entries, inodes and ancestors its pending operations touch, and a
// lookup per 64 KiB of each file they touch), not what the tree holds:
// bytes are hashed once per history, the first time a state holds them.
func (s *CrashState) ContentKey() [sha256.Size]byte {
	k := s.treeKey(contentKeys)
	var out [sha256.Size]byte
	for i, w := range k {
		binary.LittleEndian.PutUint64(out[8*i:], w)
	}
	return out
}

// fingerprint is the identity key of the state: names, kinds, attributes
// and contents by the identity of their runs, so two states that hold the
// same bytes from different writes differ.
func (s *CrashState) fingerprint() [2]uint64 {
	k := s.treeKey(identityKeys)
	return [2]uint64{k[0], k[1]}
}

// treeKey returns the key of the root, computed against the plan's
// reference (from scratch if the reference has a directory cycle, by the
// cut walk if the state has one).
func (s *CrashState) treeKey(fl keyFlavor) treeKey {
	ref := keyRef{h: s.h, b: s.p.base}
	aff := s.p.aff
	if s.p.base != nil && !s.p.base.ensureKeys(s.h, fl) {
		aff = nil
	}
	k := &s.keyer
	k.h = s.h
	k.reset(fl, ref, aff, s)
	v := k.key(s.h.base.root)
	if !k.cyclic {
		return v.key
	}
	cut := map[[2]uint64]treeKey{}
	return s.cutKey(k, cut, s.h.base.root, 0)
}

// cutKeyDepth is where the cut walk stops: a directory cycle unrolled
// this deep.
const cutKeyDepth = 64

// cutKey is the key of ino's subtree reached at depth, with what lies
// below cutKeyDepth left out: a function of the tree even with cycles.
func (s *CrashState) cutKey(k *keyer, memo map[[2]uint64]treeKey, ino uint64, depth int) treeKey {
	if depth > cutKeyDepth {
		return treeKey{0xdead}
	}
	if v, ok := memo[[2]uint64{ino, uint64(depth)}]; ok {
		return v
	}
	n := s.h.inode(ino)
	mode, uid, gid, c := s.attrs(ino)
	var v treeKey
	switch n.kind {
	case fs.ModeDir:
		var sum treeKey
		for _, e := range s.entries(ino) {
			sum = sum.add(k.entryKey(e.name, s.cutKey(k, memo, e.ino, depth+1)))
		}
		v = k.dirKey(mode, uid, gid, sum)
	case fs.ModeSymlink:
		v = k.linkKey(mode, uid, gid, n.target)
	default:
		v = k.fileKey(ino, n.kind|mode, uid, gid, c)
	}
	memo[[2]uint64{ino, uint64(depth)}] = v
	return v
}

// attrs and allEntries make a CrashState a keyedTree (child is in
// crash_state.go).
func (s *CrashState) attrs(ino uint64) (fs.FileMode, int, int, Content) {
	f := s.file(ino)
	return f.mode, f.uid, f.gid, f.cb.content()
}

func (s *CrashState) allEntries(dir uint64) []dirent { return s.entries(dir) }
