//go:build linux || darwin

package faultfs

import (
	"io/fs"
	"syscall"
)

// statT returns what FileInfo.Sys returns for a file without times or
// device number (a crash state's): a *syscall.Stat_t, as the os package
// does, so code reading owners works unchanged.
func statT(ino, dev uint64, mode fs.FileMode, nlink, uid, gid int, size int64) any {
	return statFields{ino: ino, dev: dev, mode: mode, nlink: nlink, uid: uid, gid: gid,
		size: size, blocks: (size + pageSize - 1) / pageSize * (pageSize / 512)}.sys()
}

// sys returns s as the *syscall.Stat_t FileInfo.Sys reports.
func (s statFields) sys() any {
	st := &syscall.Stat_t{Ino: s.ino, Uid: uint32(s.uid), Gid: uint32(s.gid), Size: s.size,
		Blocks: s.blocks, Blksize: pageSize}
	st.Dev = uint64ToDev(s.dev)
	st.Rdev = uint64ToDev(s.rdev)
	st.Nlink = nlinkT(s.nlink)
	st.Mode = modeT(StatMode(s.mode))
	setStatTimes(st, s.atime, s.mtime, s.ctime)
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
