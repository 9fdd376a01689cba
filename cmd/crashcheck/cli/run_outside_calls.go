//go:build linux

package cli

// The path-changing system calls of the seccomp filter (run_sync.go),
// and how a notification of one becomes the paths outside the test's
// mounts it is about to change. See run_outside.go for why and the cost.

import (
	"bytes"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pathKind is how a call changes what one of its paths names.
type pathKind uint8

const (
	// kindCreate makes a new name (mkdir, mknod, symlink, link): the
	// call fails, changing nothing, if the name exists.
	kindCreate pathKind = iota
	// kindRemove removes a name (unlink, rmdir, rename's old name): the
	// call fails if there is none.
	kindRemove
	// kindPlace puts a name in place whether or not one exists
	// (rename's new name).
	kindPlace
	// kindObject changes the file the path names (mode, owner, times,
	// size, extended attributes), following a final symlink unless the
	// call or its flags say not to.
	kindObject
)

// pathOperand is one path a call changes: the argument holding its
// directory descriptor (-1: AT_FDCWD) and the one holding the path (-1:
// none, the descriptor itself is the file).
type pathOperand struct {
	dirfd, path int8
	kind        pathKind
}

// pathCall is one path-changing system call.
type pathCall struct {
	operands []pathOperand
	// flags is the argument holding AT_SYMLINK_NOFOLLOW and
	// AT_EMPTY_PATH, -1 if the call has none.
	flags int8
	// nofollow: the call never follows a final symlink (lchown).
	nofollow bool
	// nullIsFD: a NULL path means the descriptor itself (utimensat);
	// elsewhere it fails with EFAULT.
	nullIsFD bool
}

// Shorthands for the tables.
func entry(dirfd, path int8, kind pathKind) pathCall {
	return pathCall{operands: []pathOperand{{dirfd, path, kind}}, flags: -1}
}

func object(dirfd, path, flags int8) pathCall {
	return pathCall{operands: []pathOperand{{dirfd, path, kindObject}}, flags: flags}
}

func objectOrFD(dirfd, path, flags int8) pathCall {
	c := object(dirfd, path, flags)
	c.nullIsFD = true
	return c
}

func objectNoFollow(dirfd, path int8) pathCall {
	return pathCall{operands: []pathOperand{{dirfd, path, kindObject}}, flags: -1, nofollow: true}
}

func renameCall(oldDirfd, oldPath, newDirfd, newPath int8) pathCall {
	return pathCall{operands: []pathOperand{{oldDirfd, oldPath, kindRemove}, {newDirfd, newPath, kindPlace}}, flags: -1}
}

// outsideCalls returns the numbers of the calls in pathCalls.
func outsideCalls() []int {
	nrs := make([]int, 0, len(pathCalls))
	for nr := range pathCalls {
		nrs = append(nrs, nr)
	}
	slices.Sort(nrs)
	return nrs
}

// recordOutside adds to w.outside the paths outside the mounts that the
// call req stopped at will change, if it is one of pathCalls. A call that
// is bound to fail (its parent directory or file missing, a name that
// exists for a create, none for a remove, a read-only mount) adds none.
func (w *callWatcher) recordOutside(req *seccompNotif) {
	call, ok := pathCalls[int(req.Nr)]
	if !ok {
		return
	}
	tid := int(req.Pid)
	flags := 0
	if call.flags >= 0 {
		flags = int(int32(req.Args[call.flags]))
	}
	nofollow := call.nofollow || flags&unix.AT_SYMLINK_NOFOLLOW != 0
	var found []string
	for _, op := range call.operands {
		dirfd := unix.AT_FDCWD
		if op.dirfd >= 0 {
			dirfd = int(int32(req.Args[op.dirfd]))
		}
		p := ""
		switch {
		case op.path < 0:
		case req.Args[op.path] == 0:
			if !call.nullIsFD {
				return // EFAULT
			}
		default:
			s, err := w.readString(tid, req.Args[op.path])
			if err != nil || s == "" && flags&unix.AT_EMPTY_PATH == 0 {
				return // EFAULT, ENAMETOOLONG, ENOENT: the call fails
			}
			p = s
		}
		out, ok := w.resolveOutside(tid, dirfd, p, op.kind, nofollow)
		if !ok {
			return
		}
		if out != "" {
			found = append(found, out)
		}
	}
	// What was read is the caller's only if it is still stopped at this
	// notification (seccomp_unotify(2)): its thread ID may be reused.
	if len(found) == 0 || !w.idValid(req.ID) {
		return
	}
	for _, p := range found {
		w.outside.add(p)
	}
}

// resolveOutside resolves p, relative to dirfd of thread tid (or its
// working directory; absolute in its mount namespace, which the watcher's
// thread is in), as the call will: the file itself for kindObject, else
// the directory the last name is in. It returns the path if that lies
// outside every mount of the test (and /dev, /proc, /sys), "" if inside,
// and ok false if the call will fail. crashcheck is root: permissions do
// not stop it.
func (w *callWatcher) resolveOutside(tid, dirfd int, p string, kind pathKind, nofollow bool) (out string, ok bool) {
	open, name := p, ""
	nofollow = nofollow && p != "" // the descriptor itself: follow the magic link
	if kind != kindObject {
		dir, last := path.Split(strings.TrimRight(p, "/"))
		if last == "" || last == "." || last == ".." {
			return "", false // EEXIST, EBUSY, EINVAL
		}
		open, name, nofollow = dir, last, false
	}
	at, base := unix.AT_FDCWD, open
	if !strings.HasPrefix(p, "/") {
		// /proc/TID/cwd and /proc/TID/fd/N lead into the caller's
		// directory; the rest of the walk is as the caller's.
		at, base = w.procfd, strconv.Itoa(tid)+"/cwd"
		if dirfd != unix.AT_FDCWD {
			base = strconv.Itoa(tid) + "/fd/" + strconv.Itoa(dirfd)
		}
		if open != "" {
			base += "/" + open
		}
	}
	// The common case, inside, costs one statx: without FUSE round trip
	// for the attributes (the mount ID is the kernel's), only the lookups
	// the call itself will make.
	atFlags := unix.AT_STATX_DONT_SYNC
	oflags := unix.O_PATH | unix.O_CLOEXEC
	switch {
	case nofollow:
		atFlags |= unix.AT_SYMLINK_NOFOLLOW
		oflags |= unix.O_NOFOLLOW
	case kind != kindObject:
		oflags |= unix.O_DIRECTORY
	}
	var stx unix.Statx_t
	if err := unix.Statx(at, base, atFlags, unix.STATX_MNT_ID, &stx); err != nil {
		return "", false
	}
	if slices.Contains(w.mntIDs, int(stx.Mnt_id)) {
		return "", true
	}
	fd, err := unix.Openat(at, base, oflags, 0)
	if err != nil {
		return "", false
	}
	defer unix.Close(fd)
	// Outside: the path as the caller's namespace names it (a copy of
	// crashcheck's, so the same path on the host).
	where, err := readlinkAt(w.procfd, "thread-self/fd/"+strconv.Itoa(fd))
	if err != nil || !strings.HasPrefix(where, "/") || strings.HasSuffix(where, " (deleted)") {
		return "", true // a pipe, socket, memfd or removed file: no host path changes
	}
	if pseudoMount(where) {
		return "", true
	}
	var sfs unix.Statfs_t
	if unix.Fstatfs(fd, &sfs) == nil && sfs.Flags&unix.ST_RDONLY != 0 {
		return "", false // EROFS
	}
	if kind == kindObject {
		return where, true
	}
	var st unix.Stat_t
	exists := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil
	if kind == kindCreate && exists || kind == kindRemove && !exists {
		return "", false
	}
	return path.Join(where, name), true
}

// readlinkAt is readlinkat(2) of name in dir.
func readlinkAt(dir int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dir, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// readString reads the NUL-terminated string at addr in thread tid's
// memory, a page at a time (a read stops at an unmapped page), at most
// PATH_MAX bytes.
func (w *callWatcher) readString(tid int, addr uint64) (string, error) {
	page := uint64(os.Getpagesize())
	if len(w.buf) < unix.PathMax+int(page) {
		w.buf = make([]byte, unix.PathMax+int(page))
	}
	n := 0
	for n < unix.PathMax {
		chunk := w.buf[n : n+int(page-addr%page)]
		local := []unix.Iovec{{Base: &chunk[0], Len: uint64(len(chunk))}}
		remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(chunk)}}
		got, err := unix.ProcessVMReadv(tid, local, remote, 0)
		if err != nil {
			return "", err
		}
		if got == 0 {
			return "", unix.EFAULT
		}
		if i := bytes.IndexByte(chunk[:got], 0); i >= 0 {
			return string(w.buf[:n+i]), nil
		}
		n += got
		addr += uint64(got)
	}
	return "", unix.ENAMETOOLONG
}

// idValid reports whether the notification id is still pending: its
// caller has not gone and is still waiting for the answer.
func (w *callWatcher) idValid(id uint64) bool {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(w.fd), unix.SECCOMP_IOCTL_NOTIF_ID_VALID, uintptr(unsafe.Pointer(&id)))
	return errno == 0
}
