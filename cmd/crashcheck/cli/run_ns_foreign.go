//go:build linux

package cli

import (
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// A new mount namespace starts as a copy of every mount of the one it
// was made from, other crashcheck mounts included: a scenarios.CheckDir
// or a fuse test's mount in the same process, another run's -jobs
// mounts. A FUSE connection ends only when its last mount is gone, so a
// copy held here made that other mount's Unmount wait until this
// namespace ended (go-fuse waits for the kernel to end the connection).
// The init therefore detaches, first thing, every crashcheck FUSE mount
// it inherited: they are other tests' in-memory disks, never part of
// this test, and nothing in this namespace should see or write them.

// crashcheckFSType is the file system type faultfs/fuse mounts with.
const crashcheckFSType = "fuse.crashcheck"

// inheritedTestMounts lists the mount points of crashcheck FUSE mounts in
// a mountinfo text, deepest first.
func inheritedTestMounts(mountinfo string) []string {
	var paths []string
	for _, line := range strings.Split(mountinfo, "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) > 4 && len(g) > 0 && g[0] == crashcheckFSType {
			paths = append(paths, unescapeMountinfo(f[4]))
		}
	}
	// mountinfo lists a mount after the one it is on: reversed, a
	// mount comes before the mounts beneath it.
	for i, j := 0, len(paths)-1; i < j; i, j = i+1, j-1 {
		paths[i], paths[j] = paths[j], paths[i]
	}
	return paths
}

// nsDetachInherited detaches the crashcheck FUSE mounts this namespace
// inherited. It does its best: a mount it cannot detach stays, and only
// delays the other test's unmount as before.
func nsDetachInherited() {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	for _, p := range inheritedTestMounts(string(data)) {
		unix.Unmount(p, unix.MNT_DETACH)
	}
}
