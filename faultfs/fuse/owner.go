//go:build linux

package fuse

// Users other than the server's own.
//
// Mounts are made with allow_other (as root; a non-root Mount needs
// user_allow_other in /etc/fuse.conf for it, so it goes without) and
// default_permissions, so the kernel checks every access against the mode
// and owner the FS reports, as for a local filesystem, and any user may use
// the mount. What the kernel leaves to the server, the server does here
// from the caller's credentials, which FUSE sends with every request:
//
//   - A new file, directory, symbolic link or special file (FIFO, socket,
//     device node) belongs to its creator: uid and gid of the calling
//     process, or the parent directory's gid if that is set-group-ID (the
//     FS does that part). The owner is set as part of
//     the creation (faultfs.CreatedAs), so no crash state holds a user's
//     new file owned by someone else.
//   - Only the owner (or root) may chmod or set explicit times; only root
//     may give a file away; the owner may change its group to one of the
//     caller's groups; touching a file's times to "now" needs ownership or
//     write permission; a chmod by a caller outside the file's group drops
//     set-group-ID (POSIX; Linux's setattr_prepare). The kernel makes the
//     same checks when default_permissions is set; the server repeats them
//     so that the FS is never changed in a way Linux would refuse.
//   - A write by a caller other than root clears set-user-ID, and
//     set-group-ID if group execute is set, as Linux's file_remove_privs
//     does (with direct I/O the kernel leaves it to the server). A chown
//     clears them too; the FS does that.
//
// "Root" is uid 0: the server cannot see a caller's capabilities. A
// caller's groups are its gid and the supplementary groups in the Groups
// line of PID/status under Options.ProcDir; if that cannot be read, the gid
// alone.

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// caller is who made a request.
type caller struct {
	uid, gid uint32
	pid      uint32
	procDir  string
	groups   []uint32 // supplementary, read at the first need
	read     bool
}

// callerOf returns the request's caller; without one (a call not from the
// kernel), root.
func (s *Server) callerOf(ctx context.Context) *caller {
	c := &caller{procDir: s.opts.ProcDir}
	if c.procDir == "" {
		c.procDir = "/proc"
	}
	if fc, ok := fuse.FromContext(ctx); ok {
		c.uid, c.gid, c.pid = fc.Uid, fc.Gid, fc.Pid
	}
	return c
}

func (c *caller) root() bool { return c.uid == 0 }

// inGroup reports whether gid is the caller's group or one of its
// supplementary groups.
func (c *caller) inGroup(gid uint32) bool {
	if gid == c.gid {
		return true
	}
	if !c.read {
		c.read = true
		c.groups = procGroups(c.procDir, c.pid)
	}
	for _, g := range c.groups {
		if g == gid {
			return true
		}
	}
	return false
}

// procGroups reads the Groups line of procDir/pid/status.
func procGroups(procDir string, pid uint32) []uint32 {
	if pid == 0 {
		return nil
	}
	f, err := os.Open(procDir + "/" + strconv.FormatUint(uint64(pid), 10) + "/status")
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "Groups:")
		if !ok {
			continue
		}
		var gs []uint32
		for _, w := range strings.Fields(rest) {
			if g, err := strconv.ParseUint(w, 10, 32); err == nil {
				gs = append(gs, uint32(g))
			}
		}
		return gs
	}
	return nil
}

// ownNew gives the entry p of v, which the request in ctx has just
// created, its creator as owner (see the top of this file). A failure
// leaves the FS's default owner.
func (n *node) ownNew(ctx context.Context, v *view, p string) {
	c := n.srv.callerOf(ctx)
	gid := int(c.gid)
	if fi, err := v.fsys.Lstat(path.Dir(p)); err == nil && fi.Mode()&fs.ModeSetgid != 0 {
		gid = -1 // the FS gave it the directory's group
	}
	if fi, err := v.fsys.Lstat(p); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == c.uid && (gid < 0 || st.Gid == uint32(gid)) {
			return // already so
		}
	}
	faultfs.CreatedAs(v.fsys, p, int(c.uid), gid)
}

// owned is what the ownership rules need to know of a file.
type owned struct {
	uid, gid uint32
	mode     uint32 // as in stat(2): type and permission bits
}

func ownedOf(fi fs.FileInfo) owned {
	o := owned{mode: faultfs.StatMode(fi.Mode())}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		o.uid, o.gid = st.Uid, st.Gid
	}
	return o
}

// mayWrite reports whether the mode bits let c write the file.
func (o owned) mayWrite(c *caller) bool {
	switch {
	case c.root():
		return true
	case c.uid == o.uid:
		return o.mode&0o200 != 0
	case c.inGroup(o.gid):
		return o.mode&0o020 != 0
	}
	return o.mode&0o002 != 0
}

// mayChange checks a SETATTR against the ownership rules, before anything
// is changed, and drops set-group-ID from a chmod that may not set it.
func (n *node) mayChange(ctx context.Context, h *handle, in *fuse.SetAttrIn) syscall.Errno {
	c := n.srv.callerOf(ctx)
	if c.root() {
		return 0
	}
	var fi fs.FileInfo
	var err error
	if h != nil {
		fi, err = h.stat()
	} else if p, ok := n.path(); ok {
		fi, err = n.v().fsys.Lstat(p)
	} else {
		return syscall.ENOENT
	}
	if err != nil {
		return errnoOf(err)
	}
	return setattrAllowed(c, ownedOf(fi), in)
}

// setattrAllowed is the rule of mayChange for c changing a file o.
func setattrAllowed(c *caller, o owned, in *fuse.SetAttrIn) syscall.Errno {
	if c.root() {
		return 0
	}
	owner := c.uid == o.uid
	if in.Valid&fuse.FATTR_MODE != 0 {
		if !owner {
			return syscall.EPERM
		}
		if in.Mode&syscall.S_ISGID != 0 && !c.inGroup(o.gid) {
			in.Mode &^= syscall.S_ISGID
		}
	}
	if in.Valid&fuse.FATTR_UID != 0 && (!owner || in.Owner.Uid != o.uid) {
		return syscall.EPERM
	}
	if in.Valid&fuse.FATTR_GID != 0 && (!owner || in.Owner.Gid != o.gid && !c.inGroup(in.Owner.Gid)) {
		return syscall.EPERM
	}
	// A size change stamps its own times (the kernel checked the write
	// permission it needs); otherwise explicit times need the owner, and
	// "now" the owner or write permission.
	if in.Valid&fuse.FATTR_SIZE == 0 {
		explicit := in.Valid&fuse.FATTR_ATIME != 0 && in.Valid&fuse.FATTR_ATIME_NOW == 0 ||
			in.Valid&fuse.FATTR_MTIME != 0 && in.Valid&fuse.FATTR_MTIME_NOW == 0
		now := in.Valid&(fuse.FATTR_ATIME_NOW|fuse.FATTR_MTIME_NOW) != 0
		switch {
		case explicit && !owner:
			return syscall.EPERM
		case now && !owner && !o.mayWrite(c):
			return syscall.EACCES
		}
	}
	return 0
}

// dropSetID clears set-user-ID, and set-group-ID if group execute is set,
// before a write by a caller other than root; h.mu is held.
func (h *handle) dropSetID(ctx context.Context) syscall.Errno {
	if fc, ok := fuse.FromContext(ctx); !ok || fc.Uid == 0 {
		return 0
	}
	fi, err := h.f.Stat()
	if err != nil {
		return errnoOf(err)
	}
	m := fi.Mode()
	kill := m & fs.ModeSetuid
	if m&fs.ModeSetgid != 0 && m&0o010 != 0 {
		kill |= fs.ModeSetgid
	}
	if kill == 0 || !fi.Mode().IsRegular() {
		return 0
	}
	return errnoOf(h.f.Chmod(m.Perm() | m&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)&^kill))
}
