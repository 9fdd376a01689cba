package faultfs

import (
	"io/fs"
	"sort"
)

// snapInode is an immutable inode: in a snapshot, or as created by a logged
// operation. Its data is never changed in place, so crash states share it.
type snapInode struct {
	ino     uint64
	dev     uint64
	kind    fs.FileMode
	mode    fs.FileMode
	uid     int
	gid     int
	data    []byte
	target  string
	entries []dirent // directories: sorted by name
}

// dirent is a directory entry.
type dirent struct {
	name string
	ino  uint64
}

// snapshot is an immutable tree: the durable state at MakeDurable.
type snapshot struct {
	root   uint64
	inodes map[uint64]*snapInode
}

// snapshotLocked freezes the current view. File data is shared with the
// current view, whose memory is never written over (see mem_data.go).
func (m *Mem) snapshotLocked() *snapshot {
	s := &snapshot{root: m.root.ino, inodes: map[uint64]*snapInode{}}
	var walk func(n *inode)
	walk = func(n *inode) {
		if _, seen := s.inodes[n.ino]; seen {
			return
		}
		si := freeze(n)
		s.inodes[n.ino] = si
		for _, name := range sortedNames(n.dir) {
			child := n.dir[name]
			si.entries = append(si.entries, dirent{name: name, ino: child.ino})
			walk(child)
		}
	}
	walk(m.root)
	return s
}

// freeze returns n's attributes as an immutable inode (directories without
// entries: the caller fills them).
func freeze(n *inode) *snapInode {
	var data []byte
	if n.kind == 0 {
		data = n.content().freeze()
	}
	return &snapInode{ino: n.ino, dev: n.dev, kind: n.kind, mode: n.mode, uid: n.uid, gid: n.gid,
		data: data, target: n.target}
}

// findEntry returns the index of name in sorted entries, and whether it is there.
func findEntry(entries []dirent, name string) (int, bool) {
	i := sort.Search(len(entries), func(i int) bool { return entries[i].name >= name })
	return i, i < len(entries) && entries[i].name == name
}
