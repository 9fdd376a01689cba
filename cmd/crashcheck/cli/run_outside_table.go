//go:build linux && (amd64 || arm64)

package cli

import "golang.org/x/sys/unix"

// pathCalls are the system calls that change a name or a file's metadata
// by path (or by descriptor, for those a read-only descriptor allows),
// by number: every architecture's *at calls and this one's older forms
// (legacyPathCalls). Opening for writing, and writing, are fanotify's
// (run_outside.go).
var pathCalls = func() map[int]pathCall {
	m := map[int]pathCall{
		unix.SYS_MKDIRAT:   entry(0, 1, kindCreate),
		unix.SYS_MKNODAT:   entry(0, 1, kindCreate),
		unix.SYS_SYMLINKAT: entry(1, 2, kindCreate),
		unix.SYS_LINKAT:    entry(2, 3, kindCreate),
		unix.SYS_UNLINKAT:  entry(0, 1, kindRemove),
		unix.SYS_RENAMEAT2: renameCall(0, 1, 2, 3),
		unix.SYS_FCHMODAT:  object(0, 1, -1),
		unix.SYS_FCHMODAT2: object(0, 1, 3),
		unix.SYS_FCHOWNAT:  object(0, 1, 4),
		unix.SYS_UTIMENSAT: objectOrFD(0, 1, 3),
		unix.SYS_TRUNCATE:  object(-1, 0, -1),
		unix.SYS_FCHMOD:    object(0, -1, -1),
		unix.SYS_FCHOWN:    object(0, -1, -1),

		unix.SYS_SETXATTR:      object(-1, 0, -1),
		unix.SYS_LSETXATTR:     objectNoFollow(-1, 0),
		unix.SYS_FSETXATTR:     object(0, -1, -1),
		unix.SYS_SETXATTRAT:    object(0, 1, 2),
		unix.SYS_REMOVEXATTR:   object(-1, 0, -1),
		unix.SYS_LREMOVEXATTR:  objectNoFollow(-1, 0),
		unix.SYS_FREMOVEXATTR:  object(0, -1, -1),
		unix.SYS_REMOVEXATTRAT: object(0, 1, 2),
	}
	for nr, c := range legacyPathCalls {
		m[nr] = c
	}
	return m
}()
