//go:build linux

package faultfs

import (
	"syscall"
	"time"
)

func uint64ToDev(d uint64) uint64 { return d }

func nlinkT(n int) uint64 { return uint64(n) }

func modeT(m uint32) uint32 { return m }

func setStatTimes(st *syscall.Stat_t, atime, mtime, ctime time.Time) {
	if !atime.IsZero() {
		st.Atim = syscall.NsecToTimespec(atime.UnixNano())
	}
	if !mtime.IsZero() {
		st.Mtim = syscall.NsecToTimespec(mtime.UnixNano())
	}
	if !ctime.IsZero() {
		st.Ctim = syscall.NsecToTimespec(ctime.UnixNano())
	}
}
