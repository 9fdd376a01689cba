//go:build linux

package cli

// Changes outside the test's mounts reach the host and are not crash
// tested. --isolate refuses them: every other mount of the namespace but
// /dev, /proc and /sys is made read-only, so they fail with EROFS.
// Without it they are reported, one warning per command listing the
// paths (at most maxOutside), from two sources:
//
// Writes: the namespace init marks every mount of its namespace but the
// test's own and /dev, /proc and /sys with fanotify FAN_MARK_MOUNT for
// FAN_MODIFY and FAN_CLOSE_WRITE. A mount mark fires only for access
// through that mount, and the namespace's mounts are its own copies
// (unshare copied the tree), so the events are exactly the namespace's
// writes, never another process's on the host. Opening a file to write
// it (creating it, truncating it) is seen this way.
//
// Everything else fanotify cannot tell from the host's own changes
// (it reports mkdir, unlink, rename, chmod and the like only with marks
// on a whole file system): the seccomp filter that observes sync(2)
// (run_sync.go) also notifies, for COMMAND's process tree and each
// check's, the calls that change names or metadata by path
// (run_outside_calls.go: mkdir, mknod, symlink, link, unlink, rmdir,
// rename, chmod, chown, truncate, utimes, xattrs, in all their forms,
// and fchmod, fchown, f*xattr, which a read-only descriptor allows).
// crashcheck reads the path from the caller's memory, resolves its
// directory (or, for metadata, the file) as the call will, symlinks and
// all: a relative path from /proc/TID/cwd or /proc/TID/fd/N, an absolute
// one (or an absolute symlink) in the caller's mount namespace, which the
// watching thread enters. It compares the mount ID found with the test's
// mounts'; a path outside is recorded unless the call is
// bound to fail (a create whose name exists, as in `mkdir -p` of the
// mount's parents; a remove of nothing; a read-only mount), and only if
// the caller is still stopped at the notification afterwards (its memory
// was the one read). Then the call goes on, unchanged: the warning is a
// warning. /tmp is outside the test like any other host directory and is
// reported too.
//
// Cost: the filter cannot read a path, so every such call, on the mount
// or not, is a round trip to crashcheck: a wake-up (on the caller's CPU:
// SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP), one process_vm_readv, one statx
// of the directory through /proc (its mount ID comes without a FUSE
// round trip; the lookups are those the call will make anyway) and the
// answer; only a path outside costs more. BenchmarkPathCall measures
// 6-11 µs added to a mkdir or rmdir on tmpfs (4 µs alone) on a loaded
// 2-CPU machine, where a mkdir on the FUSE mount takes about 70 µs:
// `mkdir $(seq -f d%g 1000)` as COMMAND took at best 75 ms observed
// against 69 ms with -isolate (which does not observe), and a shell loop
// of 1,000 mkdir processes about 2-3 s either way, starting processes
// being what it costs. Making the filter notify only calls that could
// resolve outside is not possible (it sees numbers, not strings), and
// not needed. Calls the filter does not list (reads, opens, stat, the
// rest) cost nothing: its answer depends on the call's number alone, so
// the kernel lets them through without running it.
//
// Limits: a call that fails for want of permission (as -user) or for a
// reason the resolution cannot foresee is still reported; a path another
// thread changes between the read and the call is reported as it was
// read; a caller that chroot'ed resolves from its new root, the watcher
// from the namespace's. Not seen: bind(2) of a unix socket outside,
// writes on mounts made after the run started (fanotify marks those there
// at the start), and 32-bit system calls on a 64-bit kernel.

import (
	"os"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxOutside is how many paths a report of changes outside lists.
const maxOutside = 20

// watchOutside returns a fanotify descriptor marking every mount but
// skip's and the pseudo file systems, or -1 if fanotify is unavailable.
func watchOutside(skip []string) int {
	fd, err := unix.FanotifyInit(unix.FAN_CLASS_NOTIF|unix.FAN_CLOEXEC|unix.FAN_NONBLOCK,
		unix.O_RDONLY|unix.O_LARGEFILE|unix.O_CLOEXEC|unix.O_NONBLOCK)
	if err != nil {
		return -1
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		unix.Close(fd)
		return -1
	}
	marked := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		mp := unescapeMountinfo(f[4])
		if marked[mp] || pseudoMount(mp) || inAny(mp, skip) {
			continue
		}
		marked[mp] = true
		unix.FanotifyMark(fd, unix.FAN_MARK_ADD|unix.FAN_MARK_MOUNT,
			unix.FAN_MODIFY|unix.FAN_CLOSE_WRITE, unix.AT_FDCWD, mp)
	}
	return fd
}

func pseudoMount(mp string) bool {
	for _, p := range []string{"/dev", "/proc", "/sys"} {
		if mp == p || strings.HasPrefix(mp, p+"/") {
			return true
		}
	}
	return false
}

func inAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// outsideSet is the paths changed outside the mounts: the first
// maxOutside distinct ones, and whether there were more.
type outsideSet struct {
	paths    map[string]bool
	overflow bool
}

func (s *outsideSet) add(p string) {
	if p == "..." {
		s.overflow = true
		return
	}
	if s.paths[p] {
		return
	}
	if len(s.paths) >= maxOutside {
		s.overflow = true
		return
	}
	if s.paths == nil {
		s.paths = map[string]bool{}
	}
	s.paths[p] = true
}

// list is the paths sorted, with "..." after them if there were more.
func (s *outsideSet) list() []string {
	paths := make([]string, 0, len(s.paths)+1)
	for p := range s.paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if s.overflow {
		paths = append(paths, "...")
	}
	if len(paths) == 0 {
		return nil
	}
	return paths
}

// mergeOutside is the list of both: the init's written paths and the
// watcher's other changes.
func mergeOutside(written []string, changed outsideSet) []string {
	for _, p := range written {
		changed.add(p)
	}
	return changed.list()
}

// drainOutside reads the events queued on fd and returns the paths
// written, sorted, at most maxOutside plus "..." if there were more.
func drainOutside(fd int) []string {
	if fd < 0 {
		return nil
	}
	var seen outsideSet
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(fd, buf)
		if err != nil || n <= 0 {
			break
		}
		for off := 0; off+int(unsafe.Sizeof(unix.FanotifyEventMetadata{})) <= n; {
			ev := (*unix.FanotifyEventMetadata)(unsafe.Pointer(&buf[off]))
			if ev.Event_len == 0 {
				break
			}
			if ev.Mask&unix.FAN_Q_OVERFLOW != 0 {
				seen.overflow = true
			}
			if ev.Fd >= 0 {
				if p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(ev.Fd))); err == nil {
					seen.add(strings.TrimSuffix(p, " (deleted)"))
				}
				unix.Close(int(ev.Fd))
			}
			off += int(ev.Event_len)
		}
	}
	return seen.list()
}
