//go:build linux

package cli

import "golang.org/x/sys/unix"

// legacyPathCalls are arm64's path-changing calls besides the *at ones
// every architecture has: only renameat (the rest never existed there).
var legacyPathCalls = map[int]pathCall{
	unix.SYS_RENAMEAT: renameCall(0, 1, 2, 3),
}
