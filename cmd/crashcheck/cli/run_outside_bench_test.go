//go:build linux

package cli

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkPathCall: what observing the path-changing calls
// (run_outside.go) adds to one, here a mkdir and an rmdir in a temporary
// directory on tmpfs (/dev/shm, if there is one: no disk, no FUSE, the
// round trip alone): "off" without the filter,
// "inside" with it and the directory's mount counted as the test's (the
// common case, a call on the mount), "outside" with it and the path
// reported. ns/op is per pair of calls.
func BenchmarkPathCall(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("the watcher enters a mount namespace: needs root")
	}
	dir := b.TempDir()
	if shm, err := os.MkdirTemp("/dev/shm", "crashcheck-bench-"); err == nil {
		dir = shm
		b.Cleanup(func() { os.RemoveAll(shm) })
	}
	var stx unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, dir, 0, unix.STATX_MNT_ID, &stx); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		filter bool
		mntIDs []int
	}{{"off", false, nil}, {"inside", true, []int{int(stx.Mnt_id)}}, {"outside", true, nil}} {
		b.Run(c.name, func(b *testing.B) {
			benchPathCalls(b, filepath.Join(dir, c.name), c.filter, c.mntIDs)
		})
	}
}

// benchPathCalls makes and removes dir b.N times, on a thread with the
// filter installed (if filter), answered by a watcher for mntIDs.
func benchPathCalls(b *testing.B, dir string, filter bool, mntIDs []int) {
	calls := func() error {
		b.ResetTimer()
		defer b.StopTimer()
		for range b.N {
			if err := unix.Mkdir(dir, 0o755); err != nil {
				return err
			}
			if err := unix.Rmdir(dir); err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	if filter {
		_, err = pathCallsSeen(mntIDs, calls)
	} else {
		err = calls()
	}
	if err != nil {
		b.Fatal(err)
	}
}
