//go:build linux || darwin

package faultfs

import (
	"io/fs"
	"syscall"
)

// statT returns what FileInfo.Sys returns for Mem's files: a *syscall.Stat_t,
// as the os package does, so code reading owners works unchanged.
func statT(ino, dev uint64, mode fs.FileMode, nlink, uid, gid int, size int64) any {
	st := &syscall.Stat_t{Ino: ino, Uid: uint32(uid), Gid: uint32(gid), Size: size}
	st.Dev = uint64ToDev(dev)
	st.Nlink = nlinkT(nlink)
	st.Mode = modeT(unixMode(mode))
	return st
}

// unixMode converts a FileMode to st_mode bits.
func unixMode(mode fs.FileMode) uint32 {
	m := uint32(mode.Perm())
	switch {
	case mode&fs.ModeDir != 0:
		m |= syscall.S_IFDIR
	case mode&fs.ModeSymlink != 0:
		m |= syscall.S_IFLNK
	default:
		m |= syscall.S_IFREG
	}
	if mode&fs.ModeSetuid != 0 {
		m |= syscall.S_ISUID
	}
	if mode&fs.ModeSetgid != 0 {
		m |= syscall.S_ISGID
	}
	if mode&fs.ModeSticky != 0 {
		m |= syscall.S_ISVTX
	}
	return m
}
