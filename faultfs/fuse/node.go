//go:build linux

package fuse

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// node is a file, directory or symbolic link of a served tree. The root
// node serves whatever tree is current; every other node keeps the tree it
// was looked up in.
type node struct {
	gofs.Inode
	srv  *Server
	view *view // nil for the root

	mu       sync.Mutex
	writable []*handle // open for writing through this node, oldest first
}

var (
	_ gofs.NodeLookuper      = (*node)(nil)
	_ gofs.NodeGetattrer     = (*node)(nil)
	_ gofs.NodeSetattrer     = (*node)(nil)
	_ gofs.NodeOpener        = (*node)(nil)
	_ gofs.NodeCreater       = (*node)(nil)
	_ gofs.NodeMkdirer       = (*node)(nil)
	_ gofs.NodeMknoder       = (*node)(nil)
	_ gofs.NodeUnlinker      = (*node)(nil)
	_ gofs.NodeRmdirer       = (*node)(nil)
	_ gofs.NodeRenamer       = (*node)(nil)
	_ gofs.NodeLinker        = (*node)(nil)
	_ gofs.NodeSymlinker     = (*node)(nil)
	_ gofs.NodeReadlinker    = (*node)(nil)
	_ gofs.NodeReaddirer     = (*node)(nil)
	_ gofs.NodeFsyncer       = (*node)(nil)
	_ gofs.NodeStatfser      = (*node)(nil)
	_ gofs.NodeGetxattrer    = (*node)(nil)
	_ gofs.NodeSetxattrer    = (*node)(nil)
	_ gofs.NodeRemovexattrer = (*node)(nil)
	_ gofs.NodeListxattrer   = (*node)(nil)
	_ gofs.NodeAccesser      = (*node)(nil)
)

func (n *node) v() *view {
	if n.view != nil {
		return n.view
	}
	return n.srv.view.Load()
}

// path returns the node's name relative to the tree's root, or false if
// the node is no longer reachable (unlinked, or its directory was).
func (n *node) path() (string, bool) {
	var parts []string
	cur := n.EmbeddedInode()
	for !cur.IsRoot() {
		name, parent := cur.Parent()
		if parent == nil {
			return "", false
		}
		parts = append(parts, name)
		cur = parent
	}
	if len(parts) == 0 {
		return ".", true
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/"), true
}

// child returns the name of name inside n.
func (n *node) child(name string) (string, syscall.Errno) {
	p, ok := n.path()
	if !ok {
		return "", syscall.ENOENT
	}
	if p == "." {
		return name, 0
	}
	return p + "/" + name, 0
}

// newChild makes the node for fi, found in v. Nodes of the same FS inode
// (hard links) share one kernel inode; the generation tells trees apart.
func (n *node) newChild(ctx context.Context, v *view, fi fs.FileInfo) *gofs.Inode {
	return n.NewInode(ctx, &node{srv: n.srv, view: v},
		gofs.StableAttr{Mode: typeBits(fi.Mode()), Ino: inoOf(fi), Gen: v.gen})
}

// entry looks name up after an operation created it, for the kernel's
// entry.
func (n *node) entry(ctx context.Context, v *view, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	fi, err := v.fsys.Lstat(name)
	if err != nil {
		return nil, errnoOf(err)
	}
	fillAttr(&out.Attr, fi)
	return n.newChild(ctx, v, fi), 0
}

// Lookup implements gofs.NodeLookuper.
func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	p, errno := n.child(name)
	if errno != 0 {
		return nil, errno
	}
	return n.entry(ctx, n.v(), p, out)
}

// Getattr implements gofs.NodeGetattrer: through the open file when the
// kernel names one (so an unlinked file still answers), else by name.
func (n *node) Getattr(ctx context.Context, f gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	var fi fs.FileInfo
	var err error
	if h, ok := f.(*handle); ok {
		fi, err = h.stat()
	} else {
		p, ok := n.path()
		if !ok {
			return syscall.ENOENT
		}
		fi, err = n.v().fsys.Lstat(p)
	}
	if err != nil {
		return errnoOf(err)
	}
	fillAttr(&out.Attr, fi)
	return 0
}

// Setattr implements gofs.NodeSetattrer: chmod, chown, truncate (also
// O_TRUNC, which the kernel sends as a size change after OPEN) and
// utimensat, in that order.
func (n *node) Setattr(ctx context.Context, f gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	v := n.v()
	if v.readOnly {
		return syscall.EROFS
	}
	h, _ := f.(*handle)
	p, havePath := n.path()
	if h == nil && !havePath {
		// fchmod and fchown of an unlinked file arrive without their
		// handle (the kernel names one only with a size change): use a
		// handle open for writing through n, if there is one.
		if h = n.openWritable(); h == nil {
			return syscall.ENOENT
		}
		f = h
	}
	if errno := n.mayChange(ctx, h, in); errno != 0 {
		return errno
	}
	if mode, ok := in.GetMode(); ok {
		var err error
		if h != nil {
			err = h.chmod(fileMode(mode))
		} else {
			err = v.fsys.Chmod(p, fileMode(mode))
		}
		if err != nil {
			return errnoOf(err)
		}
	}
	uid, uok := in.GetUID()
	gid, gok := in.GetGID()
	// chown(2) with owner and group -1 changes nothing but the ctime,
	// which Linux stamps (POSIX allows either); the kernel sends it as a
	// SETATTR that sets no attribute at all.
	if uok || gok || in.Valid&setsAttr == 0 {
		u, g := -1, -1
		if uok {
			u = int(uid)
		}
		if gok {
			g = int(gid)
		}
		var err error
		switch {
		case h != nil:
			err = h.chown(u, g)
		case n.StableAttr().Mode == syscall.S_IFLNK:
			err = faultfs.Lchown(v.fsys, p, u, g)
		default:
			err = v.fsys.Chown(p, u, g)
		}
		if err != nil {
			return errnoOf(err)
		}
	}
	size, sizeSet := in.GetSize()
	if sizeSet {
		// open(O_TRUNC) sends its size change without the handle it
		// just opened: use that handle rather than open another.
		if h == nil {
			h = n.openWritable()
		}
		var err error
		if h != nil {
			err = h.truncate(int64(size))
		} else {
			err = truncateByName(v.fsys, p, int64(size))
		}
		if err != nil {
			return errnoOf(err)
		}
	}
	atime, aok := in.GetATime()
	mtime, mok := in.GetMTime()
	// A size change stamps "now" itself: the kernel's accompanying
	// MTIME_NOW is part of the truncate, not a separate utimensat.
	truncNow := sizeSet && in.Valid&(fuse.FATTR_ATIME|fuse.FATTR_ATIME_NOW) == 0 &&
		in.Valid&fuse.FATTR_MTIME_NOW != 0
	if (aok || mok) && !truncNow {
		if !havePath {
			return syscall.ENOTSUP
		}
		if !aok || !mok {
			fi, err := v.fsys.Lstat(p)
			if err != nil {
				return errnoOf(err)
			}
			var a fuse.Attr
			fillAttr(&a, fi)
			if !aok {
				atime = a.AccessTime()
			}
			if !mok {
				mtime = a.ModTime()
			}
		}
		chtimes := faultfs.Chtimes
		if n.StableAttr().Mode == syscall.S_IFLNK {
			chtimes = faultfs.Lchtimes // utimensat(AT_SYMLINK_NOFOLLOW) on the link
		}
		if err := chtimes(v.fsys, p, atime, mtime); err != nil {
			return errnoOf(err)
		}
	}
	return n.Getattr(ctx, f, out)
}

// setsAttr are the SETATTR bits that change an attribute (the others
// name a handle or a lock owner, or ask to drop set-ID bits on the way).
const setsAttr = fuse.FATTR_MODE | fuse.FATTR_UID | fuse.FATTR_GID | fuse.FATTR_SIZE |
	fuse.FATTR_ATIME | fuse.FATTR_MTIME | fuse.FATTR_ATIME_NOW | fuse.FATTR_MTIME_NOW | fuse.FATTR_CTIME

func truncateByName(fsys faultfs.FS, name string, size int64) error {
	f, err := fsys.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err1 := f.Close(); err == nil {
		err = err1
	}
	return err
}

// syncFlags are the open flags passed on to the FS besides the access mode:
// O_SYNC and O_DSYNC, which the FS honours by making each write durable
// as it returns (faultfs.Mem does, as Linux does).
const syncFlags = syscall.O_SYNC | syscall.O_DSYNC

// Open implements gofs.NodeOpener.
func (n *node) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	v := n.v()
	acc := int(flags) & syscall.O_ACCMODE
	if v.readOnly && acc != os.O_RDONLY {
		return nil, 0, syscall.EROFS
	}
	p, ok := n.path()
	if !ok {
		return nil, 0, syscall.ENOENT
	}
	f, err := v.fsys.OpenFile(p, acc|int(flags)&syncFlags, 0)
	if err != nil {
		return nil, 0, errnoOf(err)
	}
	h := n.srv.newHandle(f, flags)
	if acc != os.O_RDONLY {
		n.mu.Lock()
		n.writable = append(n.writable, h)
		n.mu.Unlock()
		h.onRelease = func() { n.forget(h); n.srv.open.Add(-1) }
	}
	return h, fuse.FOPEN_DIRECT_IO, 0
}

// openWritable returns the newest handle open for writing through n.
func (n *node) openWritable() *handle {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.writable) == 0 {
		return nil
	}
	return n.writable[len(n.writable)-1]
}

func (n *node) forget(h *handle) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.writable = slices.DeleteFunc(n.writable, func(x *handle) bool { return x == h })
}

// Create implements gofs.NodeCreater.
func (n *node) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*gofs.Inode, gofs.FileHandle, uint32, syscall.Errno) {
	v := n.v()
	if v.readOnly {
		return nil, nil, 0, syscall.EROFS
	}
	p, errno := n.child(name)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	// The kernel sends CREATE for a name it just failed to look up, so
	// O_TRUNC has nothing to truncate: create exclusively, and truncate
	// only if the name appeared in between.
	acc := int(flags)&syscall.O_ACCMODE | int(flags)&syncFlags
	f, err := v.fsys.OpenFile(p, acc|os.O_CREATE|os.O_EXCL, fileMode(mode))
	if errors.Is(err, fs.ErrExist) && flags&syscall.O_EXCL == 0 {
		f, err = v.fsys.OpenFile(p, acc|os.O_CREATE|int(flags)&os.O_TRUNC, fileMode(mode))
	}
	if err != nil {
		return nil, nil, 0, errnoOf(err)
	}
	n.ownNew(ctx, v, p)
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, 0, errnoOf(err)
	}
	fillAttr(&out.Attr, fi)
	return n.newChild(ctx, v, fi), n.srv.newHandle(f, flags), fuse.FOPEN_DIRECT_IO, 0
}

// Mkdir implements gofs.NodeMkdirer.
func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	v := n.v()
	if v.readOnly {
		return nil, syscall.EROFS
	}
	p, errno := n.child(name)
	if errno != 0 {
		return nil, errno
	}
	if err := v.fsys.Mkdir(p, fileMode(mode)); err != nil {
		return nil, errnoOf(err)
	}
	n.ownNew(ctx, v, p)
	return n.entry(ctx, v, p, out)
}

// Mknod implements gofs.NodeMknoder: FIFOs, sockets' names and device
// nodes, through faultfs.Mknod (EPERM from an FS without it). The kernel
// serves their opens itself: a FIFO's data never reaches the FS.
func (n *node) Mknod(ctx context.Context, name string, mode, rdev uint32, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	v := n.v()
	if v.readOnly {
		return nil, syscall.EROFS
	}
	p, errno := n.child(name)
	if errno != 0 {
		return nil, errno
	}
	m := fileMode(mode)
	switch mode & syscall.S_IFMT {
	case syscall.S_IFIFO:
		m |= fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		m |= fs.ModeSocket
	case syscall.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		m |= fs.ModeDevice
	case syscall.S_IFREG, 0:
	default:
		return nil, syscall.EINVAL
	}
	if err := faultfs.Mknod(v.fsys, p, m, uint64(rdev)); err != nil {
		return nil, errnoOf(err)
	}
	n.ownNew(ctx, v, p)
	return n.entry(ctx, v, p, out)
}

// Unlink implements gofs.NodeUnlinker.
func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	return n.remove(name, false)
}

// Rmdir implements gofs.NodeRmdirer.
func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	return n.remove(name, true)
}

// remove checks the type itself, since FS.Remove takes both kinds.
func (n *node) remove(name string, dir bool) syscall.Errno {
	v := n.v()
	if v.readOnly {
		return syscall.EROFS
	}
	p, errno := n.child(name)
	if errno != 0 {
		return errno
	}
	fi, err := v.fsys.Lstat(p)
	if err != nil {
		return errnoOf(err)
	}
	switch {
	case dir && !fi.IsDir():
		return syscall.ENOTDIR
	case !dir && fi.IsDir():
		return syscall.EISDIR
	}
	return errnoOf(v.fsys.Remove(p))
}

// The renameat2 flags.
const (
	renameNoReplace = 1
	renameExchange  = 2
	renameWhiteout  = 4
)

// Rename implements gofs.NodeRenamer. RENAME_NOREPLACE is honoured;
// RENAME_EXCHANGE and RENAME_WHITEOUT are refused with EINVAL, as by a
// filesystem that lacks them.
func (n *node) Rename(ctx context.Context, name string, newParent gofs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	v := n.v()
	if v.readOnly {
		return syscall.EROFS
	}
	if flags&^renameNoReplace != 0 {
		return syscall.EINVAL
	}
	np, ok := newParent.(*node)
	if !ok || np.v() != v {
		return syscall.EXDEV
	}
	oldp, errno := n.child(name)
	if errno != 0 {
		return errno
	}
	newp, errno := np.child(newName)
	if errno != 0 {
		return errno
	}
	if flags&renameNoReplace != 0 {
		// On an FS without it, EINVAL, as from a filesystem that lacks
		// RENAME_NOREPLACE (mv then falls back by itself).
		return errnoOf(faultfs.RenameNoReplace(v.fsys, oldp, newp))
	}
	return errnoOf(v.fsys.Rename(oldp, newp))
}

// Link implements gofs.NodeLinker.
func (n *node) Link(ctx context.Context, target gofs.InodeEmbedder, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	v := n.v()
	if v.readOnly {
		return nil, syscall.EROFS
	}
	t, ok := target.(*node)
	if !ok || t.v() != v {
		return nil, syscall.EXDEV
	}
	tp, ok := t.path()
	if !ok {
		return nil, syscall.ENOENT
	}
	p, errno := n.child(name)
	if errno != 0 {
		return nil, errno
	}
	if err := v.fsys.Link(tp, p); err != nil {
		return nil, errnoOf(err)
	}
	return n.entry(ctx, v, p, out)
}

// Symlink implements gofs.NodeSymlinker.
func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	v := n.v()
	if v.readOnly {
		return nil, syscall.EROFS
	}
	p, errno := n.child(name)
	if errno != 0 {
		return nil, errno
	}
	if err := v.fsys.Symlink(target, p); err != nil {
		return nil, errnoOf(err)
	}
	n.ownNew(ctx, v, p)
	return n.entry(ctx, v, p, out)
}

// Readlink implements gofs.NodeReadlinker.
func (n *node) Readlink(ctx context.Context) ([]byte, syscall.Errno) {
	p, ok := n.path()
	if !ok {
		return nil, syscall.ENOENT
	}
	target, err := n.v().fsys.Readlink(p)
	if err != nil {
		return nil, errnoOf(err)
	}
	return []byte(target), 0
}

// Readdir implements gofs.NodeReaddirer: the listing is read whole at
// opendir time.
func (n *node) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	p, ok := n.path()
	if !ok {
		return nil, syscall.ENOENT
	}
	ents, err := n.v().fsys.ReadDir(p)
	if err != nil {
		return nil, errnoOf(err)
	}
	list := make([]fuse.DirEntry, 0, len(ents)+2)
	list = append(list,
		fuse.DirEntry{Name: ".", Mode: syscall.S_IFDIR, Ino: n.StableAttr().Ino},
		fuse.DirEntry{Name: "..", Mode: syscall.S_IFDIR, Ino: 1})
	for _, e := range ents {
		de := fuse.DirEntry{Name: e.Name(), Mode: typeBits(e.Type())}
		if fi, err := e.Info(); err == nil {
			de.Ino = inoOf(fi)
		}
		if de.Ino == 0 {
			de.Ino = ^uint64(0) >> 1 // d_ino 0 hides the entry from some readers
		}
		list = append(list, de)
	}
	return gofs.NewListDirStream(list), 0
}

// fsyncFdatasync is FUSE_FSYNC_FDATASYNC, the bit of an FSYNC's flags
// that says it is fdatasync(2).
const fsyncFdatasync = 1

// Fsync implements gofs.NodeFsyncer for files (fsync becomes File.Sync,
// fdatasync faultfs.Datasync) and directories (FSYNCDIR: the directory is
// opened through the FS and synced, the POSIX way; fdatasync of a
// directory syncs its entries all the same).
func (n *node) Fsync(ctx context.Context, f gofs.FileHandle, flags uint32) syscall.Errno {
	if h, ok := f.(*handle); ok {
		return h.sync(flags&fsyncFdatasync != 0)
	}
	v := n.v()
	if v.readOnly {
		return 0 // nothing can be dirty
	}
	p, ok := n.path()
	if !ok {
		return syscall.ENOENT
	}
	d, err := v.fsys.OpenFile(p, os.O_RDONLY, 0)
	if err != nil {
		return errnoOf(err)
	}
	err = d.Sync()
	if err1 := d.Close(); err == nil {
		err = err1
	}
	return errnoOf(err)
}

// Statfs implements gofs.NodeStatfser with a roomy, made-up device: the
// FS reports no capacity, and tools such as df and installers only need
// plausible numbers.
func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	const bsize = 4096
	out.Bsize, out.Frsize = bsize, bsize
	out.Blocks = 1 << 40 / bsize
	out.Bfree, out.Bavail = out.Blocks, out.Blocks
	out.Files, out.Ffree = 1<<32, 1<<32
	out.NameLen = 255
	return 0
}

// Getxattr implements gofs.NodeGetxattrer: no file has extended
// attributes. The kernel asks for security.capability before every write
// to a file; this is the cheap answer.
func (n *node) Getxattr(ctx context.Context, attr string, dest []byte) (uint32, syscall.Errno) {
	return 0, syscall.ENODATA
}

// Listxattr implements gofs.NodeListxattrer: an empty list.
func (n *node) Listxattr(ctx context.Context, dest []byte) (uint32, syscall.Errno) {
	return 0, 0
}

// Setxattr implements gofs.NodeSetxattrer. The FS cannot store extended
// attributes, so setting one fails with ENOTSUP, as on a filesystem
// mounted without xattr support. For system.posix_acl_access this is what
// makes GNU sed and coreutils fall back to fchmod, so the mode still
// arrives, as a chmod.
func (n *node) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	return syscall.ENOTSUP
}

// Removexattr implements gofs.NodeRemovexattrer, like Setxattr.
func (n *node) Removexattr(ctx context.Context, attr string) syscall.Errno {
	return syscall.ENOTSUP
}

// Access implements gofs.NodeAccesser by declining (ENOSYS), after which
// the kernel grants access(2) and chdir(2) without asking. Permission
// checks on open, unlink and the rest still apply as the FS makes them.
func (n *node) Access(ctx context.Context, mask uint32) syscall.Errno {
	return syscall.ENOSYS
}
