//go:build unix

package writer

import (
	"io/fs"
	"os"
	"syscall"
)

// fileOwner returns fi's owner and group, or -1, -1 if fi does not carry them.
func fileOwner(fi fs.FileInfo) (uid, gid int) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid)
	}
	return -1, -1
}

// processOwner is the owner and group a new file of this process gets
// (unless the directory is setgid).
func processOwner() (uid, gid int) { return os.Geteuid(), os.Getegid() }
