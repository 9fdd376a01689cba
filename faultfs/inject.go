package faultfs

import (
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"
)

// Injector wraps an FS, records every call made through it or through the
// files it opened as one Op of its trace, and makes chosen ops fail: with an
// errno, as a short or torn write, or as a crash after which every op fails
// with ErrCrashed.
//
// Each call is one op, in the order the calls took the injector's lock, which
// is held while the call runs on the wrapped FS: ops through one injector are
// serialised, so the trace is also the order in which they reached the
// wrapped FS. Open, Create and OpenFile are OpOpen; FS.Remove is OpRemove
// (for a directory too); MkdirAll is one OpMkdir; File.Sync is OpSyncDir on
// a directory and OpSync otherwise, Datasync OpSyncDir or OpDatasync.
// File.Name and Umask are not ops.
//
// What an Op of the trace holds besides Kind, Path and Err:
//
//	open           Flag, Mode (Create: O_RDWR|O_CREATE|O_TRUNC, 0666; Open: O_RDONLY)
//	read, write    Off, Len (len(p)), N (bytes done); Off is -1 when unknown;
//	               write: Flag, O_SYNC or O_DSYNC if the file was opened so
//	seek           Off (the offset asked), Flag (whence), N (the new offset)
//	truncate       Off (the new size)
//	mkdir, chmod   Mode; fchmod too
//	chown, fchown  Off (uid), Len (gid); lchown too
//	rename, link   NewPath (the new name); RenameNoReplace: Flag RenameNoReplaceFlag
//	symlink        Path (the link's target), NewPath (the link's name)
//	ack            Path (the label)
//	chtimes        nothing more (lchtimes too): times are not in the trace
//
// The optional capabilities (RenameNoReplace, Lchown, Chtimes, Lchtimes,
// Ack, Datasync on files) are ops like the others, passed on through the
// helpers of the same names, so that the Injector has exactly the
// capabilities of the FS it wraps and falls back as the helpers do.
//
// File ops are recorded against the name the file was opened with through
// the injector, so that a file's ops match the same PathMatch as its open
// (os.Root's files report an absolute Name). Errors the injector makes up
// name the file as the wrapped file's Name does, as the os package would.
//
// The offset of Read and Write (not ReadAt/WriteAt) is asked of the wrapped
// file with Seek(0, io.SeekCurrent) before the call: one cheap lseek on a
// real file. It is -1 for writes to files opened with O_APPEND (which go to
// the end, wherever the offset is) and for ops after a crash.
//
// After a crash nothing more is done on the wrapped FS, except that Close
// still releases the wrapped file and that an fsync on a file opened
// read-only may Stat it, once, to trace it as OpSyncDir or OpSync.
//
// An Injector is safe for concurrent use.
type Injector struct {
	fsys FS

	mu      sync.Mutex
	faults  []faultState
	trace   []Op
	fired   []int // indexes into trace
	crashed bool
	onCrash func()
}

// A Fault is a trigger and what happens to the op it picks. Each fault fires
// at most once.
type Fault struct {
	When Trigger // which op
	Do   Action  // what happens to it
}

type faultState struct {
	when  trigger
	do    action
	count int // ops matched so far (OnNth)
	fired bool
}

var (
	_ FS      = (*Injector)(nil)
	_ Umasker = (*Injector)(nil)
	_ Acker   = (*Injector)(nil)

	_ NoReplaceRenamer = (*Injector)(nil)
	_ Lchowner         = (*Injector)(nil)
	_ Chtimeser        = (*Injector)(nil)
	_ Lchtimeser       = (*Injector)(nil)
)

// NewInjector returns an injector over fsys with the given faults armed.
func NewInjector(fsys FS, faults ...Fault) *Injector {
	i := &Injector{fsys: fsys, trace: make([]Op, 0, 16)}
	i.setFaults(faults)
	return i
}

// SetFaults replaces the faults with the given ones, counting their
// triggers' matches from zero. The trace is kept, and a crash stays a crash.
func (i *Injector) SetFaults(faults ...Fault) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.setFaults(faults)
}

func (i *Injector) setFaults(faults []Fault) {
	i.faults = i.faults[:0]
	for _, f := range faults {
		if f.When == nil || f.Do == nil {
			panic("faultfs: Fault needs both When and Do")
		}
		i.faults = append(i.faults, faultState{when: f.When.trigger(), do: f.Do.action()})
	}
}

// OnCrash sets a function called after every op that fails with ErrCrashed,
// in the goroutine that made it, once the injector's lock is released. A test
// harness can pass runtime.Goexit to stop a workload at its crash point; nil
// removes the function.
func (i *Injector) OnCrash(f func()) {
	i.mu.Lock()
	i.onCrash = f
	i.mu.Unlock()
}

// Trace returns a copy of every op so far, in order.
func (i *Injector) Trace() []Op {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]Op(nil), i.trace...)
}

// Fired returns a copy of the ops at which a fault fired, in order.
func (i *Injector) Fired() []Op {
	i.mu.Lock()
	defer i.mu.Unlock()
	ops := make([]Op, len(i.fired))
	for k, idx := range i.fired {
		ops[k] = i.trace[idx]
	}
	return ops
}

// Crashed reports whether a crash has happened.
func (i *Injector) Crashed() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.crashed
}

// Ops returns how many ops have been made so far.
func (i *Injector) Ops() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return len(i.trace)
}

// begin gives op its index and returns what to do with it: the zero action
// to run it, actCrashed if the injector has crashed, or the action of the
// first armed fault whose trigger fires. Every armed trigger sees every op
// before the crash, so OnNth counts do not depend on other faults; a fault
// that fires at an op another fault already took is spent without acting.
// The caller holds i.mu.
func (i *Injector) begin(op *Op) action {
	op.Index = len(i.trace)
	if i.crashed {
		return action{kind: actCrashed}
	}
	var act action
	for k := range i.faults {
		f := &i.faults[k]
		if f.fired || !f.fires(op) {
			continue
		}
		f.fired = true
		if act.kind == 0 {
			act = f.do
			i.fired = append(i.fired, op.Index)
		}
	}
	return act
}

// cause returns the error an action makes an op that does nothing fail
// with, crashing the injector if the action is a crash: a short write on
// another op is ENOSPC, a torn write on another op is a crash.
func (i *Injector) cause(a action) error {
	switch a.kind {
	case actErrno:
		return a.errno
	case actShortWrite:
		return syscall.ENOSPC
	}
	i.crashed = true
	return ErrCrashed
}

// end records op with its result and returns the function to call once
// the lock is released, if any. The caller holds i.mu.
func (i *Injector) end(op *Op, err error) func() {
	op.Err = err
	i.trace = append(i.trace, *op)
	if i.onCrash != nil && i.crashed && isCrash(err) {
		return i.onCrash
	}
	return nil
}

// isCrash reports whether err is one of the injector's crash errors,
// without the cost of errors.Is on the common path.
func isCrash(err error) bool {
	switch e := err.(type) {
	case *fs.PathError:
		return e.Err == ErrCrashed
	case *os.LinkError:
		return e.Err == ErrCrashed
	}
	return false
}

// done unlocks i and calls hook, if any.
func (i *Injector) done(hook func()) {
	i.mu.Unlock()
	if hook != nil {
		hook()
	}
}

// Umask implements Umasker by asking the wrapped FS.
func (i *Injector) Umask() fs.FileMode { return Umask(i.fsys) }

// OpenFile implements FS.OpenFile.
func (i *Injector) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	return i.open(name, flag, perm, func() (File, error) { return i.fsys.OpenFile(name, flag, perm) })
}

// Create implements FS.Create.
func (i *Injector) Create(name string) (File, error) {
	return i.open(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666, func() (File, error) { return i.fsys.Create(name) })
}

// Open implements FS.Open.
func (i *Injector) Open(name string) (File, error) {
	return i.open(name, os.O_RDONLY, 0, func() (File, error) { return i.fsys.Open(name) })
}

func (i *Injector) open(name string, flag int, perm fs.FileMode, do func() (File, error)) (File, error) {
	i.mu.Lock()
	op := Op{Kind: OpOpen, Path: name, Flag: flag, Mode: perm}
	var (
		f   File
		err error
	)
	if act := i.begin(&op); act.kind == 0 {
		f, err = do()
	} else {
		err = injectedErr("open", name, i.cause(act))
	}
	var r File
	if err == nil {
		r = &injectFile{inj: i, f: f, path: name, name: f.Name(), flag: flag}
	}
	i.done(i.end(&op, err))
	return r, err
}

// pathOp runs an op on a path, or fails it with a *fs.PathError named osOp.
func (i *Injector) pathOp(op Op, osOp string, do func() error) error {
	i.mu.Lock()
	var err error
	if act := i.begin(&op); act.kind == 0 {
		err = do()
	} else {
		err = injectedErr(osOp, op.Path, i.cause(act))
	}
	i.done(i.end(&op, err))
	return err
}

// linkOp runs an op on two paths, or fails it with an *os.LinkError.
func (i *Injector) linkOp(op Op, osOp string, do func() error) error {
	i.mu.Lock()
	var err error
	if act := i.begin(&op); act.kind == 0 {
		err = do()
	} else {
		err = &os.LinkError{Op: osOp, Old: op.Path, New: op.NewPath, Err: i.cause(act)}
	}
	i.done(i.end(&op, err))
	return err
}

func injectedErr(op, path string, err error) error {
	return &fs.PathError{Op: op, Path: path, Err: err}
}

// Rename implements FS.Rename.
func (i *Injector) Rename(oldpath, newpath string) error {
	return i.linkOp(Op{Kind: OpRename, Path: oldpath, NewPath: newpath}, "rename",
		func() error { return i.fsys.Rename(oldpath, newpath) })
}

// Remove implements FS.Remove.
func (i *Injector) Remove(name string) error {
	return i.pathOp(Op{Kind: OpRemove, Path: name}, "remove", func() error { return i.fsys.Remove(name) })
}

// Mkdir implements FS.Mkdir.
func (i *Injector) Mkdir(name string, perm fs.FileMode) error {
	return i.pathOp(Op{Kind: OpMkdir, Path: name, Mode: perm}, "mkdir", func() error { return i.fsys.Mkdir(name, perm) })
}

// MkdirAll implements FS.MkdirAll.
func (i *Injector) MkdirAll(name string, perm fs.FileMode) error {
	return i.pathOp(Op{Kind: OpMkdir, Path: name, Mode: perm}, "mkdir", func() error { return i.fsys.MkdirAll(name, perm) })
}

// Stat implements FS.Stat.
func (i *Injector) Stat(name string) (fi fs.FileInfo, err error) {
	err = i.pathOp(Op{Kind: OpStat, Path: name}, "stat", func() (err error) { fi, err = i.fsys.Stat(name); return })
	return fi, err
}

// Lstat implements FS.Lstat.
func (i *Injector) Lstat(name string) (fi fs.FileInfo, err error) {
	err = i.pathOp(Op{Kind: OpLstat, Path: name}, "lstat", func() (err error) { fi, err = i.fsys.Lstat(name); return })
	return fi, err
}

// ReadDir implements FS.ReadDir. An injected error is reported as os.ReadDir
// reports a failed open of the directory.
func (i *Injector) ReadDir(name string) (ents []fs.DirEntry, err error) {
	err = i.pathOp(Op{Kind: OpReadDir, Path: name}, "open", func() (err error) { ents, err = i.fsys.ReadDir(name); return })
	return ents, err
}

// Readlink implements FS.Readlink.
func (i *Injector) Readlink(name string) (target string, err error) {
	err = i.pathOp(Op{Kind: OpReadlink, Path: name}, "readlink", func() (err error) { target, err = i.fsys.Readlink(name); return })
	return target, err
}

// Symlink implements FS.Symlink.
func (i *Injector) Symlink(oldname, newname string) error {
	return i.linkOp(Op{Kind: OpSymlink, Path: oldname, NewPath: newname}, "symlink",
		func() error { return i.fsys.Symlink(oldname, newname) })
}

// Link implements FS.Link.
func (i *Injector) Link(oldname, newname string) error {
	return i.linkOp(Op{Kind: OpLink, Path: oldname, NewPath: newname}, "link",
		func() error { return i.fsys.Link(oldname, newname) })
}

// Chmod implements FS.Chmod.
func (i *Injector) Chmod(name string, mode fs.FileMode) error {
	return i.pathOp(Op{Kind: OpChmod, Path: name, Mode: mode}, "chmod", func() error { return i.fsys.Chmod(name, mode) })
}

// Chown implements FS.Chown.
func (i *Injector) Chown(name string, uid, gid int) error {
	return i.pathOp(Op{Kind: OpChown, Path: name, Off: int64(uid), Len: int64(gid)}, "chown",
		func() error { return i.fsys.Chown(name, uid, gid) })
}

// Ack implements Acker: an OpAck op, passed on to the wrapped FS if it is an
// Acker (and a no-op otherwise). A fault that fires at it makes it fail
// without reaching the wrapped FS: the acknowledgement was not made.
func (i *Injector) Ack(label string) error {
	return i.pathOp(Op{Kind: OpAck, Path: label}, "ack", func() error { return Ack(i.fsys, label) })
}

// RenameNoReplace implements NoReplaceRenamer through [RenameNoReplace]:
// an OpRename with Flag RenameNoReplaceFlag.
func (i *Injector) RenameNoReplace(oldpath, newpath string) error {
	return i.linkOp(Op{Kind: OpRename, Path: oldpath, NewPath: newpath, Flag: RenameNoReplaceFlag}, "rename",
		func() error { return RenameNoReplace(i.fsys, oldpath, newpath) })
}

// Lchown implements Lchowner through [Lchown]: an OpLchown.
func (i *Injector) Lchown(name string, uid, gid int) error {
	return i.pathOp(Op{Kind: OpLchown, Path: name, Off: int64(uid), Len: int64(gid)}, "lchown",
		func() error { return Lchown(i.fsys, name, uid, gid) })
}

// Chtimes implements Chtimeser through [Chtimes]: an OpChtimes.
func (i *Injector) Chtimes(name string, atime, mtime time.Time) error {
	return i.pathOp(Op{Kind: OpChtimes, Path: name}, "chtimes",
		func() error { return Chtimes(i.fsys, name, atime, mtime) })
}

// Lchtimes implements Lchtimeser through [Lchtimes]: an OpLchtimes.
func (i *Injector) Lchtimes(name string, atime, mtime time.Time) error {
	return i.pathOp(Op{Kind: OpLchtimes, Path: name}, "lchtimes",
		func() error { return Lchtimes(i.fsys, name, atime, mtime) })
}
