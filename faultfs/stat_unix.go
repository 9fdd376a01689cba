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
