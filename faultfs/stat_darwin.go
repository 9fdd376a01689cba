//go:build darwin

package faultfs

import (
	"syscall"
	"time"
)

func uint64ToDev(d uint64) int32 { return int32(d) }

func nlinkT(n int) uint16 { return uint16(n) }

func modeT(m uint32) uint16 { return uint16(m) }

func setStatTimes(st *syscall.Stat_t, atime, mtime, ctime time.Time) {
	if !atime.IsZero() {
		st.Atimespec = syscall.NsecToTimespec(atime.UnixNano())
	}
	if !mtime.IsZero() {
		st.Mtimespec = syscall.NsecToTimespec(mtime.UnixNano())
	}
	if !ctime.IsZero() {
		st.Ctimespec = syscall.NsecToTimespec(ctime.UnixNano())
	}
}
