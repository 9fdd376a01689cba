//go:build linux

package fuse

import (
	"io/fs"
	"syscall"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// typeBits returns the S_IFMT bits of an fs.FileMode.
func typeBits(m fs.FileMode) uint32 { return faultfs.StatMode(m) & syscall.S_IFMT }

// fileMode is the inverse of faultfs.StatMode for the bits chmod can set.
func fileMode(mode uint32) fs.FileMode {
	m := fs.FileMode(mode & 0o777)
	if mode&syscall.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if mode&syscall.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if mode&syscall.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// inoOf returns the inode number an FS reports through Sys, or 0.
func inoOf(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// fillAttr sets out from fi. An FS that reports a *syscall.Stat_t through
// Sys (Mem, OS) is taken at its word: link count (0 for a file unlinked
// while open), owner, device number, blocks and the three times (a zero
// access or change time stands for the modification time). Otherwise the
// fields get plain defaults: one link (two for a directory), owner root,
// blocks for the whole size.
func fillAttr(out *fuse.Attr, fi fs.FileInfo) {
	out.Mode = faultfs.StatMode(fi.Mode())
	out.Size = uint64(fi.Size())
	out.Blksize = 4096
	mtime := fi.ModTime()
	atime, ctime := mtime, mtime
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		out.Ino = st.Ino
		out.Nlink = uint32(st.Nlink)
		out.Uid, out.Gid = st.Uid, st.Gid
		out.Rdev = uint32(st.Rdev)
		out.Blocks = uint64(st.Blocks)
		if st.Atim.Sec != 0 || st.Atim.Nsec != 0 {
			atime = time.Unix(st.Atim.Unix())
		}
		if st.Ctim.Sec != 0 || st.Ctim.Nsec != 0 {
			ctime = time.Unix(st.Ctim.Unix())
		}
	} else {
		out.Nlink = 1
		if fi.IsDir() {
			out.Nlink = 2
		}
		out.Blocks = (out.Size + 511) / 512
	}
	out.SetTimes(&atime, &mtime, &ctime)
}
