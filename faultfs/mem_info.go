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

func (m *Mem) infoLocked(n *inode, name string) fs.FileInfo {
	var size int64
	switch n.kind {
	case fs.ModeSymlink:
		size = int64(len(n.target))
	case fs.ModeDir:
		size = 4096
	default:
		size = n.size()
	}
	return &memInfo{name: name, size: size, mode: n.kind | n.mode, mtime: n.mtime,
		sys: statT(n.ino, n.dev, n.kind|n.mode, n.nlink, n.uid, n.gid, size)}
}
