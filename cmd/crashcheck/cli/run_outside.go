//go:build linux

package cli

// Writes outside the test's mounts reach the host and are not crash
// tested. Without --isolate they are reported: the namespace init marks
// every mount of its namespace but the test's own and /dev, /proc and
// /sys with fanotify FAN_MARK_MOUNT for FAN_MODIFY and FAN_CLOSE_WRITE.
// A mount mark fires only for access through that mount, and the
// namespace's mounts are its own copies (unshare copied the tree), so
// the events are exactly the namespace's writes, never another process's
// on the host. Limits: only opening a file for writing and writing to it
// is seen (creating one opens it, so a new file is seen too); mkdir,
// unlink, rename, chmod and the like without a write are not (fanotify
// reports those only with file-handle marks on a whole file system, which
// would not tell the namespace's changes from the host's), nor writes on
// mounts made after the run started.

import (
	"os"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxOutside is how many paths a report of writes outside lists.
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

// drainOutside reads the events queued on fd and returns the paths
// written, sorted, at most maxOutside plus "..." if there were more.
func drainOutside(fd int) []string {
	if fd < 0 {
		return nil
	}
	seen := map[string]bool{}
	overflow := false
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
				overflow = true
			}
			if ev.Fd >= 0 {
				if p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(ev.Fd))); err == nil {
					seen[strings.TrimSuffix(p, " (deleted)")] = true
				}
				unix.Close(int(ev.Fd))
			}
			off += int(ev.Event_len)
		}
	}
	paths := make([]string, 0, len(seen))
	for p := range seen {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if len(paths) > maxOutside {
		paths, overflow = paths[:maxOutside], true
	}
	if overflow {
		paths = append(paths, "...")
	}
	return paths
}
