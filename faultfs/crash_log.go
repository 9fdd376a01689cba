package faultfs

import "io/fs"

// Mem and the crash model meet through two things only: the log of
// operations (logOp, below), which Mem appends to as it runs, and the
// snapshot (crash_snapshot.go), which Mem freezes at MakeDurable and
// which a crash state is turned back into a Mem from. Neither side reads
// the other's private state.

// logOp is one operation in Mem's log: its printable form and what it did,
// in terms of inodes and directory entries, which is what the persistence
// models reason about.
type logOp struct {
	op Op

	ino  uint64 // the inode whose data or attributes changed, or that was linked or unlinked
	dir  uint64 // entry ops: the directory changed (rename: the old name's)
	name string // entry ops: the name added or removed (rename: the old name)

	dir2  uint64 // rename: the new name's directory
	name2 string // rename: the new name

	off  int64  // write: offset; truncate: new size
	data []byte // write: an immutable copy of what was written

	mode     fs.FileMode // chmod
	uid, gid int         // chown
	created  *snapInode  // create, mkdir, symlink, mknod: the new inode as it was made
	replaced uint64      // rename, create: the inode the name held before, if any
	truncZ   bool        // close: the handle truncated the file to zero and wrote it again

	clearSetID bool // chown of a regular file: set-ID bits cleared from whatever mode it has
}

// isEntryOp reports whether ops of kind k change directory entries.
func isEntryOp(k OpKind) bool {
	switch k {
	case OpCreate, OpMkdir, OpSymlink, OpLink, OpRemove, OpRmdir, OpRename, OpMknod:
		return true
	}
	return false
}

// isDataOp reports whether ops of kind k change a file's data or size.
func isDataOp(k OpKind) bool { return k == OpWrite || k == OpTruncate }

// isAttrOp reports whether ops of kind k change an inode's attributes.
func isAttrOp(k OpKind) bool {
	return k == OpChmod || k == OpFchmod || k == OpChown || k == OpFchown
}
