package faultfs

import (
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"
)

// OpenFile implements FS.OpenFile.
func (m *Mem) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if flag&os.O_CREATE != 0 && flag&oDIRECTORY != 0 {
		return nil, pathErr("open", name, syscall.EINVAL) // Linux 6.4 and later
	}
	if flag&os.O_CREATE != 0 && strings.HasSuffix(name, "/") {
		// Linux refuses to create a file under a directory's name.
		if _, err := m.resolveNew("open", name); err != nil {
			return nil, err
		}
		return nil, pathErr("open", name, syscall.EISDIR)
	}
	follow := flag&oNOFOLLOW == 0 && !(flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0)
	r, err := m.resolve("open", name, follow)
	if err != nil {
		return nil, err
	}
	acc := flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
	n := r.node
	switch {
	case n == nil && flag&os.O_CREATE == 0:
		return nil, pathErr("open", name, syscall.ENOENT)
	case n == nil:
		if len(r.name) > 255 {
			return nil, pathErr("open", name, syscall.ENAMETOOLONG)
		}
		n = m.newChild(r.parent, 0, perm.Perm()&^m.umask|perm&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
		m.linkLocked(r.parent, r.name, n)
		m.record(logOp{op: Op{Kind: OpCreate, Path: name, Mode: n.mode}, ino: n.ino,
			dir: r.parent.ino, name: r.name, created: freeze(n)})
	case flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0:
		return nil, pathErr("open", name, syscall.EEXIST)
	case n.kind == fs.ModeSymlink && flag&oDIRECTORY != 0:
		return nil, pathErr("open", name, syscall.ENOTDIR)
	case n.kind == fs.ModeSymlink:
		return nil, pathErr("open", name, syscall.ELOOP)
	case n.isDir() && (acc != os.O_RDONLY || flag&(os.O_CREATE|os.O_TRUNC) != 0):
		return nil, pathErr("open", name, syscall.EISDIR)
	case !n.isDir() && flag&oDIRECTORY != 0:
		return nil, pathErr("open", name, syscall.ENOTDIR)
	case n.isSpecial():
		return nil, pathErr("open", name, syscall.ENXIO) // nothing behind it (mem_special.go)
	}
	f := &memFile{m: m, n: n, name: name, flag: flag}
	// Linux truncates on O_TRUNC even when the file is opened read-only,
	// but not a file this open has just created (do_open skips it for
	// FMODE_CREATED): no truncate is logged, and the close does not flush
	// as ext4's auto_da_alloc would after a real truncation.
	if flag&os.O_TRUNC != 0 && !n.isDir() && r.node != nil {
		m.truncateLocked(f, name, 0)
	}
	return f, nil
}

// Create implements FS.Create.
func (m *Mem) Create(name string) (File, error) {
	return m.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Open implements FS.Open.
func (m *Mem) Open(name string) (File, error) { return m.OpenFile(name, os.O_RDONLY, 0) }

// newChild makes an inode to be linked into dir: on dir's device, and, as
// Linux does below a set-group-ID directory, with dir's group (and, for a
// directory, the set-group-ID bit too).
func (m *Mem) newChild(dir *inode, kind, mode fs.FileMode) *inode {
	n := m.newInode(kind, mode, dir.dev)
	if dir.mode&fs.ModeSetgid != 0 {
		n.gid = dir.gid
		if kind == fs.ModeDir {
			n.mode |= fs.ModeSetgid
		}
	}
	return n
}

// linkLocked adds an entry to a directory in the current view.
func (m *Mem) linkLocked(dir *inode, name string, n *inode) {
	dir.dir[name] = n
	n.nlink++
	if n.isDir() {
		n.parent = dir
		n.nlink++ // its "."
		dir.nlink++
	}
	m.changed(n)
	m.modified(dir)
}

// unlinkLocked removes an entry from a directory in the current view.
func (m *Mem) unlinkLocked(dir *inode, name string) {
	n := dir.dir[name]
	delete(dir.dir, name)
	n.nlink--
	if n.isDir() {
		n.nlink--
		dir.nlink--
	}
	if n.nlink == 0 && n.kind == 0 {
		// An unlinked file keeps its data while it is open; the quota
		// is released now, which is close enough.
		m.used -= n.size()
	}
	m.changed(n)
	m.modified(dir)
}

// Rename implements FS.Rename.
func (m *Mem) Rename(oldpath, newpath string) error {
	return m.rename(oldpath, newpath, false)
}

// RenameNoReplace implements NoReplaceRenamer: it renames like Rename but
// fails with EEXIST when newpath exists (renameat2 with RENAME_NOREPLACE).
// The log has it as an OpRename whose Flag is RenameNoReplaceFlag.
func (m *Mem) RenameNoReplace(oldpath, newpath string) error {
	return m.rename(oldpath, newpath, true)
}

func (m *Mem) rename(oldpath, newpath string, noReplace bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	lerr := func(e syscall.Errno) error { return linkErr("rename", oldpath, newpath, e) }
	src, err := m.resolve("rename", oldpath, false)
	if err != nil {
		return lerr(errnoOf(err))
	}
	if src.node == nil {
		return lerr(syscall.ENOENT)
	}
	if src.isDot() {
		return lerr(syscall.EBUSY)
	}
	dst, err := m.resolve("rename", newpath, false)
	if err != nil {
		return lerr(errnoOf(err))
	}
	if dst.isDot() {
		if noReplace {
			return lerr(syscall.EEXIST)
		}
		return lerr(syscall.EBUSY)
	}
	if !src.node.isDir() && (src.slash || dst.slash) {
		return lerr(syscall.ENOTDIR)
	}
	if len(dst.name) > 255 {
		return lerr(syscall.ENAMETOOLONG)
	}
	if src.node.dev != dst.parent.dev {
		return lerr(syscall.EXDEV)
	}
	n := src.node
	if n.isDir() {
		for d := dst.parent; ; d = d.parent {
			if d == n {
				return lerr(syscall.EINVAL)
			}
			if d == m.root {
				break
			}
		}
	}
	old := dst.node
	if old != nil {
		if noReplace {
			return lerr(syscall.EEXIST)
		}
		if old == n {
			return nil // both names are links to one inode: POSIX says do nothing
		}
		switch {
		case n.isDir() && !old.isDir():
			return lerr(syscall.ENOTDIR)
		case !n.isDir() && old.isDir():
			return lerr(syscall.EISDIR)
		case old.isDir() && len(old.dir) > 0:
			return lerr(syscall.ENOTEMPTY)
		}
	}
	var replaced uint64
	if old != nil {
		replaced = old.ino
		m.unlinkLocked(dst.parent, dst.name)
	}
	m.unlinkLocked(src.parent, src.name)
	m.linkLocked(dst.parent, dst.name, n)
	m.record(logOp{op: Op{Kind: OpRename, Path: oldpath, NewPath: newpath, Flag: renameFlag(noReplace)}, ino: n.ino,
		dir: src.parent.ino, name: src.name, dir2: dst.parent.ino, name2: dst.name, replaced: replaced})
	return nil
}

// errnoOf extracts the errno from an error made by this package.
func errnoOf(err error) syscall.Errno {
	if pe, ok := err.(*fs.PathError); ok {
		if e, ok := pe.Err.(syscall.Errno); ok {
			return e
		}
	}
	return syscall.EIO
}

// Remove implements FS.Remove.
func (m *Mem) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.resolve("remove", name, false)
	if err != nil {
		return err
	}
	switch {
	case r.node == nil:
		return pathErr("remove", name, syscall.ENOENT)
	case r.name == "":
		return pathErr("remove", name, syscall.EBUSY)
	case r.name == ".":
		return pathErr("remove", name, syscall.EINVAL)
	case r.name == "..":
		return pathErr("remove", name, syscall.ENOTEMPTY)
	case r.node.isDir() && len(r.node.dir) > 0:
		return pathErr("remove", name, syscall.ENOTEMPTY)
	}
	kind := OpRemove
	if r.node.isDir() {
		kind = OpRmdir
	}
	ino := r.node.ino
	m.unlinkLocked(r.parent, r.name)
	m.record(logOp{op: Op{Kind: kind, Path: name}, ino: ino, dir: r.parent.ino, name: r.name})
	return nil
}

// Mkdir implements FS.Mkdir.
func (m *Mem) Mkdir(name string, perm fs.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mkdirLocked("mkdir", name, perm)
}

func (m *Mem) mkdirLocked(op, name string, perm fs.FileMode) error {
	r, err := m.resolveNew(op, name)
	if err != nil {
		return err
	}
	if r.node != nil {
		return pathErr(op, name, syscall.EEXIST)
	}
	if len(r.name) > 255 {
		return pathErr(op, name, syscall.ENAMETOOLONG)
	}
	// mkdir(2) takes the permission and sticky bits; set-group-ID comes
	// from the parent (newChild).
	n := m.newChild(r.parent, fs.ModeDir, perm.Perm()&^m.umask|perm&fs.ModeSticky)
	m.linkLocked(r.parent, r.name, n)
	m.record(logOp{op: Op{Kind: OpMkdir, Path: name, Mode: n.mode}, ino: n.ino,
		dir: r.parent.ino, name: r.name, created: freeze(n)})
	return nil
}

// MkdirAll implements FS.MkdirAll, step for step as os.MkdirAll does it.
func (m *Mem) MkdirAll(name string, perm fs.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mkdirAllLocked(name, perm)
}

func (m *Mem) mkdirAllLocked(name string, perm fs.FileMode) error {
	if n, err := m.lookup("stat", name, true); err == nil {
		if n.isDir() {
			return nil
		}
		return pathErr("mkdir", name, syscall.ENOTDIR)
	}
	i := len(name)
	for i > 0 && name[i-1] == '/' {
		i--
	}
	j := i
	for j > 0 && name[j-1] != '/' {
		j--
	}
	if j > 1 {
		if err := m.mkdirAllLocked(name[:j-1], perm); err != nil {
			return err
		}
	}
	if err := m.mkdirLocked("mkdir", name, perm); err != nil {
		// "a/." and the like: what is there may be a directory after all.
		if n, err1 := m.lookup("lstat", name, false); err1 == nil && n.isDir() {
			return nil
		}
		return err
	}
	return nil
}

// Stat implements FS.Stat.
func (m *Mem) Stat(name string) (fs.FileInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("stat", name, true)
	if err != nil {
		return nil, err
	}
	return m.infoLocked(n, baseName(name)), nil
}

// Lstat implements FS.Lstat.
func (m *Mem) Lstat(name string) (fs.FileInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return m.infoLocked(n, baseName(name)), nil
}

// ReadDir implements FS.ReadDir.
func (m *Mem) ReadDir(name string) ([]fs.DirEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("open", name, true)
	if err != nil {
		return nil, err
	}
	if !n.isDir() {
		return nil, pathErr("open", name, syscall.ENOTDIR) // os.ReadDir opens with O_DIRECTORY
	}
	m.accessed(n)
	names := sortedNames(n.dir)
	out := make([]fs.DirEntry, len(names))
	for i, c := range names {
		out[i] = fs.FileInfoToDirEntry(m.infoLocked(n.dir[c], c))
	}
	return out, nil
}

// Readlink implements FS.Readlink.
func (m *Mem) Readlink(name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("readlink", name, false)
	if err != nil {
		return "", err
	}
	if n.kind != fs.ModeSymlink {
		return "", pathErr("readlink", name, syscall.EINVAL)
	}
	m.accessed(n)
	return n.target, nil
}

// Symlink implements FS.Symlink.
func (m *Mem) Symlink(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.resolveNew("symlink", newname)
	if err != nil {
		return linkErr("symlink", oldname, newname, errnoOf(err))
	}
	if r.node != nil {
		return linkErr("symlink", oldname, newname, syscall.EEXIST)
	}
	if oldname == "" || r.slash {
		return linkErr("symlink", oldname, newname, syscall.ENOENT)
	}
	n := m.newChild(r.parent, fs.ModeSymlink, 0o777)
	n.target = oldname
	m.linkLocked(r.parent, r.name, n)
	m.record(logOp{op: Op{Kind: OpSymlink, Path: oldname, NewPath: newname}, ino: n.ino,
		dir: r.parent.ino, name: r.name, created: freeze(n)})
	return nil
}

// Link implements FS.Link. Like Linux's link(2), it does not follow a
// symbolic link at oldname.
func (m *Mem) Link(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("link", oldname, false)
	if err != nil {
		return linkErr("link", oldname, newname, errnoOf(err))
	}
	r, err := m.resolveNew("link", newname)
	if err != nil {
		return linkErr("link", oldname, newname, errnoOf(err))
	}
	switch {
	case r.node != nil:
		return linkErr("link", oldname, newname, syscall.EEXIST)
	case r.slash:
		return linkErr("link", oldname, newname, syscall.ENOENT)
	case n.isDir():
		return linkErr("link", oldname, newname, syscall.EPERM)
	case n.dev != r.parent.dev:
		return linkErr("link", oldname, newname, syscall.EXDEV)
	}
	m.linkLocked(r.parent, r.name, n)
	m.record(logOp{op: Op{Kind: OpLink, Path: oldname, NewPath: newname}, ino: n.ino,
		dir: r.parent.ino, name: r.name})
	return nil
}

// Chmod implements FS.Chmod.
func (m *Mem) Chmod(name string, mode fs.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("chmod", name, true)
	if err != nil {
		return err
	}
	m.chmodLocked(OpChmod, name, n, mode)
	return nil
}

func (m *Mem) chmodLocked(kind OpKind, name string, n *inode, mode fs.FileMode) {
	n.mode = mode & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	m.changed(n)
	m.record(logOp{op: Op{Kind: kind, Path: name, Mode: n.mode}, ino: n.ino, mode: n.mode})
}

// Chown implements FS.Chown.
func (m *Mem) Chown(name string, uid, gid int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("chown", name, true)
	if err != nil {
		return err
	}
	m.chownLocked(OpChown, name, n, uid, gid)
	return nil
}

// Lchown implements Lchowner: Chown on a symbolic link itself. The log
// has it as an OpChown: to the crash model both set an inode's owner.
func (m *Mem) Lchown(name string, uid, gid int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("lchown", name, false)
	if err != nil {
		return err
	}
	m.chownLocked(OpChown, name, n, uid, gid)
	return nil
}

func (m *Mem) chownLocked(kind OpKind, name string, n *inode, uid, gid int) {
	if uid >= 0 {
		n.uid = uid
	}
	if gid >= 0 {
		n.gid = gid
	}
	// As Linux does, for root too: a chown of a regular file clears
	// set-user-ID, and set-group-ID when group execute is set.
	clearSetID := (uid >= 0 || gid >= 0) && n.kind == 0
	if clearSetID {
		n.mode = modeAfterChown(n.mode)
	}
	m.changed(n)
	m.record(logOp{op: Op{Kind: kind, Path: name}, ino: n.ino, uid: n.uid, gid: n.gid, clearSetID: clearSetID})
}

// modeAfterChown is what a chown leaves of a regular file's mode.
func modeAfterChown(mode fs.FileMode) fs.FileMode {
	mode &^= fs.ModeSetuid
	if mode&0o010 != 0 {
		mode &^= fs.ModeSetgid
	}
	return mode
}

// Chtimes implements Chtimeser: it sets a file's access and modification
// times, following a final symbolic link; a zero time leaves that time as
// it is (os.Chtimes's rule). The change time becomes now, as utimensat(2)
// makes it. Times are not part of the crash model: they are neither logged
// nor made durable.
func (m *Mem) Chtimes(name string, atime, mtime time.Time) error {
	return m.chtimes("chtimes", name, atime, mtime, true)
}

// Lchtimes implements Lchtimeser: Chtimes on a symbolic link itself
// (utimensat with AT_SYMLINK_NOFOLLOW).
func (m *Mem) Lchtimes(name string, atime, mtime time.Time) error {
	return m.chtimes("lchtimes", name, atime, mtime, false)
}

func (m *Mem) chtimes(op, name string, atime, mtime time.Time, follow bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup(op, name, follow)
	if err != nil {
		return err
	}
	if !atime.IsZero() {
		n.atime = atime
	}
	if !mtime.IsZero() {
		n.mtime = mtime
	}
	m.changed(n)
	return nil
}

// baseName is what a FileInfo names: the last element of name, as the os
// package takes it ("d/." is ".", "d/" is "d", "/" is "/").
func baseName(name string) string {
	for len(name) > 1 && name[len(name)-1] == '/' {
		name = name[:len(name)-1]
	}
	if i := strings.LastIndexByte(name[:max(len(name)-1, 0)], '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// Ack implements Acker: the mark is logged as an OpAck, with label as its
// Path, and changes nothing on disk.
func (m *Mem) Ack(label string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.record(logOp{op: Op{Kind: OpAck, Path: label}})
	return nil
}
