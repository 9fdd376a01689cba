//go:build linux

package cli

import "golang.org/x/sys/unix"

// legacyPathCalls are amd64's path-changing calls older than their *at
// forms, which C libraries still use.
var legacyPathCalls = map[int]pathCall{
	unix.SYS_MKDIR:     entry(-1, 0, kindCreate),
	unix.SYS_MKNOD:     entry(-1, 0, kindCreate),
	unix.SYS_SYMLINK:   entry(-1, 1, kindCreate),
	unix.SYS_LINK:      entry(-1, 1, kindCreate),
	unix.SYS_RMDIR:     entry(-1, 0, kindRemove),
	unix.SYS_UNLINK:    entry(-1, 0, kindRemove),
	unix.SYS_RENAME:    renameCall(-1, 0, -1, 1),
	unix.SYS_RENAMEAT:  renameCall(0, 1, 2, 3),
	unix.SYS_CHMOD:     object(-1, 0, -1),
	unix.SYS_CHOWN:     object(-1, 0, -1),
	unix.SYS_LCHOWN:    objectNoFollow(-1, 0),
	unix.SYS_UTIME:     object(-1, 0, -1),
	unix.SYS_UTIMES:    object(-1, 0, -1),
	unix.SYS_FUTIMESAT: objectOrFD(0, 1, -1),
}
