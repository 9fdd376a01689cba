package faultfs

import (
	"io/fs"
	"time"
)

// memInfo is a Mem file's fs.FileInfo: a copy taken when it was asked for.
type memInfo struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
	sys   any
}

func (i *memInfo) Name() string       { return i.name }
func (i *memInfo) Size() int64        { return i.size }
func (i *memInfo) Mode() fs.FileMode  { return i.mode }
func (i *memInfo) ModTime() time.Time { return i.mtime }
func (i *memInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *memInfo) Sys() any           { return i.sys }

// infoLocked reports n as stat(2) does. st_blocks counts the pages that
// hold data (holes cost none); a directory has one block of 4 KiB, a
// symbolic link (its target kept in the inode, as ext4's fast links) and a
// special file none.
func (m *Mem) infoLocked(n *inode, name string) fs.FileInfo {
	var size, blocks int64
	switch n.kind {
	case fs.ModeSymlink:
		size = int64(len(n.target))
	case fs.ModeDir:
		size, blocks = pageSize, pageSize/512
	case 0:
		d := n.content()
		size, blocks = d.size, d.dataPages()*(pageSize/512)
	}
	st := statFields{ino: n.ino, dev: n.dev, rdev: n.rdev, mode: n.kind | n.mode, nlink: n.nlink,
		uid: n.uid, gid: n.gid, size: size, blocks: blocks, atime: n.atime, mtime: n.mtime, ctime: n.ctime}
	return &memInfo{name: name, size: size, mode: n.kind | n.mode, mtime: n.mtime, sys: st.sys()}
}
