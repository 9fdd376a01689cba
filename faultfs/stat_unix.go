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
	st.Mode = modeT(StatMode(mode))
	return st
}

// StatMode converts a FileMode to the st_mode bits a unix stat(2) reports:
// the file type (S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR,
// S_IFBLK), the permission bits, and set-user-ID, set-group-ID and sticky.
func StatMode(mode fs.FileMode) uint32 {
	m := uint32(mode.Perm())
	switch {
	case mode.IsDir():
		m |= syscall.S_IFDIR
	case mode&fs.ModeSymlink != 0:
		m |= syscall.S_IFLNK
	case mode&fs.ModeNamedPipe != 0:
		m |= syscall.S_IFIFO
	case mode&fs.ModeSocket != 0:
		m |= syscall.S_IFSOCK
	case mode&fs.ModeCharDevice != 0:
		m |= syscall.S_IFCHR
	case mode&fs.ModeDevice != 0:
		m |= syscall.S_IFBLK
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
