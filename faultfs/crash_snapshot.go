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
	rdev    uint64   // device node: the device it stands for
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

// findEntry returns the index of name in sorted entries, and whether it is there.
func findEntry(entries []dirent, name string) (int, bool) {
	i := sort.Search(len(entries), func(i int) bool { return entries[i].name >= name })
	return i, i < len(entries) && entries[i].name == name
}
