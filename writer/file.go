package writer

import (
	"errors"
	"io"
	"io/fs"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// tempAttempts is how many random names are tried before giving up when
// every one of them exists already.
const tempAttempts = 8

// File is a replacement being written: a temporary file next to the
// target. Write to it, then Commit to replace the target or Abort (or
// Close) to leave the target as it was. A File is not safe for concurrent
// use.
//
// A failed Write or ReadFrom abandons the replacement at once: the
// temporary file is removed (unless [WithKeepTemp]), and Commit returns the
// same error.
type File struct {
	c        config
	name     string // the target as the caller named it
	t        target
	tmp      string // the temporary file's path
	f        faultfs.File
	mode     fs.FileMode
	perm     fs.FileMode // Create's perm argument
	uid, gid int         // owner to set, -1 to leave
	strict   bool        // an owner the process may not set is an error
	done     bool
	err      error // why the File was abandoned, if it was
}

var (
	_ io.Writer     = (*File)(nil)
	_ io.ReaderFrom = (*File)(nil)
)

// Create starts replacing name. Nothing is visible at name until Commit
// succeeds. perm is the mode of a new file, before the umask; an existing
// file keeps its mode, owner and extended attributes (its ACL included;
// see "What is kept" in the package doc), as they are when Commit starts.
// Create looks the target up (following symbolic links), refuses one that
// is not a regular file and creates the temporary file in the target's
// directory. On unix the temporary file is locked (flock, LOCK_EX) until
// it is closed, so that [RemoveStale] leaves it alone however long the
// replace takes.
func Create(name string, perm fs.FileMode, opts ...Option) (*File, error) {
	f := &File{c: newConfig(opts), name: name}
	if err := f.open(perm); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) open(perm fs.FileMode) error {
	c := &f.c
	t, err := resolveTarget(c.fsys, f.name, !c.replaceSymlink)
	if err != nil {
		return err
	}
	f.t = t

	f.perm = perm
	f.settle()
	for attempt := 1; ; attempt++ {
		f.tmp = t.dir + c.tempName(t.base)
		tf, err := c.fsys.OpenFile(f.tmp, tempFlags, 0o600)
		if err == nil {
			f.f = tf
			lockTemp(tf)
			return nil
		}
		if errors.Is(err, fs.ErrExist) && attempt < tempAttempts {
			continue
		}
		step := "create temp file in " + syncDirName(t.dir)
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENOTDIR) {
			step, err = "create temp file", missingDir(c.fsys, f.name, t, err)
		}
		return replaceErr(f.name, step, err, "target unchanged")
	}
}

// settle derives the new file's mode and owner from the options and the
// target as f.t describes it.
func (f *File) settle() {
	c, t := &f.c, f.t
	const kept = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
	switch {
	case c.modeSet:
		f.mode = c.mode & kept
	case t.exists:
		f.mode = t.mode
	default:
		f.mode = f.perm & kept &^ faultfs.Umask(c.fsys)
	}
	f.uid, f.gid = -1, -1
	if t.exists {
		// Keep the owner, when it is not what a new file gets anyway.
		pu, pg := processOwner()
		if t.uid != pu {
			f.uid = t.uid
		}
		if t.gid != pg {
			f.gid = t.gid
		}
	}
	if c.owner {
		f.strict = true
		if c.uid >= 0 {
			f.uid = c.uid
		}
		if c.gid >= 0 {
			f.gid = c.gid
		}
	}
}

// refresh looks the target up again, at the start of Commit, so that a
// change of its mode, owner or ACL made while the content was being
// written (a chmod, a setfacl -x) is what the new file gets, not undone
// by values read at Create. A target that is gone or no longer a regular
// file keeps what Create found: the rename decides what becomes of it.
// Any other failure to look it up is an error.
func (f *File) refresh() error {
	fi, err := f.c.fsys.Lstat(f.t.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	f.t.exists = true
	f.t.mode = fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	f.t.uid, f.t.gid = fileOwner(fi)
	f.settle()
	return nil
}

// TempName returns the temporary file's path. It does not change during
// the File's life, so a signal handler may read it, concurrently with
// Write or Commit, to remove the file before the process exits.
func (f *File) TempName() string { return f.tmp }

// missingDir says why no file could be created in t's directory.
func missingDir(fsys faultfs.FS, name string, t target, err error) *DirError {
	e := &DirError{Dir: syncDirName(t.dir), Err: err}
	if fi, serr := fsys.Stat(e.Dir); serr == nil && fi.IsDir() {
		// /proc, /sys: the directory is there, new names are not.
		e.Exists = true
	} else if t.path != name {
		e.Link = t.path
	}
	return e
}

// Write writes all of p to the temporary file, continuing after short
// writes.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, f.closedErr("write")
	}
	n := 0
	for n < len(p) {
		m, err := f.f.Write(p[n:])
		n += m
		if err == nil && m == 0 {
			err = io.ErrShortWrite
		}
		if err != nil {
			return n, f.fail("write temp file", err)
		}
	}
	return n, nil
}

// ReadFrom copies r to the temporary file until EOF (using the system's
// copy offload where the file system allows). An error reading r abandons
// the replacement too: the temporary file would hold an unknown prefix.
func (f *File) ReadFrom(r io.Reader) (int64, error) {
	if f.done {
		return 0, f.closedErr("write")
	}
	var n int64
	var err error
	if rf, ok := f.f.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(fullWriter{f.f}, r)
	}
	if err != nil {
		return n, f.fail("copy into temp file", err)
	}
	return n, nil
}

// fullWriter continues short writes of a faultfs.File that lacks ReadFrom.
type fullWriter struct{ w io.Writer }

func (w fullWriter) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := w.w.Write(p[n:])
		n += m
		if err == nil && m == 0 {
			err = io.ErrShortWrite
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Commit replaces the target with what was written: it looks the target
// up again and reads its extended attributes (so that changes made to it
// since Create are kept, not undone), sets the owner, the extended
// attributes and the mode on the temporary file, fsyncs it, closes it,
// calls the [WithBeforeRename] function, keeps a backup if asked and
// renames the temporary file over the target; at [Durable] it then fsyncs
// the directory. When Commit returns nil at [Durable], the new content,
// mode, owner and extended attributes survive a power loss. An extended
// attribute that cannot be kept is an error (target unchanged) unless
// [WithAllowXattrLoss]. An error that does not match [ErrNotDurable] means
// the target is unchanged; one that does means the target holds the new
// content but a power loss may undo that.
func (f *File) Commit() error {
	if f.done {
		if f.err != nil {
			return f.err
		}
		return f.closedErr("commit")
	}
	c := &f.c
	if err := f.refresh(); err != nil {
		return f.fail("look up target again", err)
	}
	var loss ownerLoss
	if f.uid >= 0 || f.gid >= 0 {
		// Before Chmod: chown clears the setuid and setgid bits.
		var err error
		if loss, err = f.setOwner(); err != nil {
			step := "set owner of temp file"
			var oe *OwnerError
			if errors.As(err, &oe) {
				step = "keep the target's owner"
			}
			return f.fail(step, err)
		}
	}
	mode := f.mode
	acl := false
	if f.t.exists {
		// After Chown, which clears security.capability; before Chmod.
		var err error
		if mode, acl, err = f.carryXattrs(mode); err != nil {
			return f.fail("keep the target's extended attributes", err)
		}
	}
	mode = modeAfterOwnerLoss(mode, loss, acl)
	if err := f.f.Chmod(mode); err != nil {
		return f.fail("set mode of temp file", err)
	}
	if c.durability != NoSync {
		// Never retried: after a failed fsync the kernel may have
		// dropped the dirty pages, and a second fsync would succeed
		// without writing them.
		if err := f.f.Sync(); err != nil {
			return f.fail("fsync temp file", err)
		}
	}
	tf := f.f
	f.f = nil
	if err := tf.Close(); err != nil {
		return f.fail("close temp file", err)
	}
	if c.beforeRename != nil {
		if err := c.beforeRename(); err != nil {
			return f.fail("before rename", err)
		}
	}
	if c.backupSuffix != "" && (f.t.exists || f.t.link) {
		if err := f.backup(); err != nil {
			return f.fail("keep backup", &BackupError{Path: f.t.path + c.backupSuffix, Err: err})
		}
	}
	if err := c.fsys.Rename(f.tmp, f.t.path); err != nil {
		return f.fail("rename temp file over target", err)
	}
	f.done = true
	if c.durability == Durable && canSyncDir(c.fsys) {
		dir := syncDirName(f.t.dir)
		if err := faultfs.SyncDir(c.fsys, dir); err != nil {
			f.err = &fs.PathError{Op: opName, Path: f.name, Err: &replaceError{
				step: "fsync directory " + dir, err: err, after: true,
				left: "target replaced: new content in place but not yet durable",
			}}
			return f.err
		}
	}
	return nil
}

// carryXattrs carries the target's extended attributes over to the
// temporary file and returns the mode to give it: mode itself, or, where
// the target's ACL is lost, one that grants no principal more than the
// ACL did (see modeWithoutACL), without group bits where an ACL inherited
// from the directory may remain on the new file (they would be its mask).
// acl reports whether the new file carries the target's access ACL. The
// error is the first attribute lost, unless WithAllowXattrLoss.
func (f *File) carryXattrs(mode fs.FileMode) (_ fs.FileMode, acl bool, _ error) {
	c := &f.c
	xfs, xf := xattrAccess(c.fsys, f.tmp, f.f)
	if xfs == nil {
		return mode, false, nil // the filesystem has no extended attributes
	}
	tx := readXattrs(xfs, f.t.path)
	var explicit *fs.FileMode
	if c.modeSet {
		explicit = &mode
	}
	lost, out := keepXattrs(xf, tx, explicit)
	if !out.clean {
		// Nothing could be removed; there may be nothing to remove.
		if _, err := xfs.Getxattr(f.tmp, aclAccess); errors.Is(err, syscall.ENODATA) || err != nil && notSupported(err) {
			out.clean = true
		}
	}
	if lost != nil && !c.allowXattrLoss {
		return mode, false, lost
	}
	if !out.kept && !c.modeSet && tx.hasACL() {
		// The mode's group bits showed the ACL's mask.
		mode = modeWithoutACL(mode, tx.acl)
	}
	if !out.clean {
		mode &^= 0o070
	}
	return mode, out.kept && tx.acl != nil, nil
}

// backup hard-links the current target (the link itself, under
// WithReplaceSymlink) to a temporary name and renames
// that over the backup, so that the backup name always holds some
// complete earlier version.
func (f *File) backup() error {
	c := &f.c
	for attempt := 1; ; attempt++ {
		tmp := f.t.dir + c.tempName(f.t.base)
		err := c.fsys.Link(f.t.path, tmp)
		if errors.Is(err, fs.ErrExist) && attempt < tempAttempts {
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil // the target went away: nothing to keep
		}
		if err != nil {
			return err
		}
		if err := c.fsys.Rename(tmp, f.t.path+c.backupSuffix); err != nil {
			c.fsys.Remove(tmp)
			return err
		}
		return nil
	}
}

// Abort abandons the replacement: the temporary file is closed and
// removed and the target is left as it was. Abort after Abort, or after a
// failed Write or Commit, does nothing; Abort after a successful Commit is
// an error, since the target has already been replaced.
func (f *File) Abort() error {
	if f.done {
		if f.err == nil {
			return f.closedErr("abort")
		}
		return nil
	}
	f.done = true
	f.err = &fs.PathError{Op: opName, Path: f.name, Err: errAborted}
	var err error
	if f.f != nil {
		err = f.f.Close()
		f.f = nil
	}
	if rerr := f.c.fsys.Remove(f.tmp); rerr != nil {
		return replaceErr(f.name, "abort", rerr, "target unchanged; temp file "+f.tmp+" left behind")
	}
	if err != nil {
		return replaceErr(f.name, "abort: close temp file", err, "target unchanged; temp file removed")
	}
	return nil
}

// Close aborts the replacement unless it was committed; after Commit or
// Abort it does nothing.
func (f *File) Close() error {
	if f.done {
		return nil
	}
	return f.Abort()
}

var errAborted = errors.New("replacement aborted (target unchanged; temp file removed)")

// fail abandons the replacement after a step failed before the rename.
func (f *File) fail(step string, err error) error {
	f.done = true
	if f.f != nil {
		f.f.Close()
		f.f = nil
	}
	left := "target unchanged; temp file removed"
	if f.c.keepTemp {
		left = "target unchanged; temp file kept at " + f.tmp
	} else if rerr := f.c.fsys.Remove(f.tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		left = "target unchanged; temp file " + f.tmp + " could not be removed: " + rerr.Error()
	}
	f.err = replaceErr(f.name, step, err, left)
	return f.err
}

func (f *File) closedErr(op string) error {
	return replaceErr(f.name, op+": replacement already committed or abandoned", fs.ErrClosed, "nothing done")
}
