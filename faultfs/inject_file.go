package faultfs

import (
	"io"
	"io/fs"
	"os"
	"syscall"
)

// injectFile is a file opened through an Injector: every call is an op of
// the injector's trace, run under its lock.
type injectFile struct {
	inj  *Injector
	f    File
	path string // the name it was opened with through the injector: trace paths
	name string // f.Name(): paths of the errors the injector makes up
	flag int
	dir  int8 // 1: a directory, -1: not, 0: not known yet
}

var (
	_ File             = (*injectFile)(nil)
	_ Datasyncer       = (*injectFile)(nil)
	_ DescriptorCloser = (*injectFile)(nil)
)

// Name implements File.Name; it is not an op.
func (f *injectFile) Name() string { return f.f.Name() }

// offset returns the wrapped file's offset, or -1 when it is unknown or
// meaningless: a write to an O_APPEND file, or the injector has crashed.
// The caller holds the injector's lock.
func (f *injectFile) offset(write bool) int64 {
	if write && f.flag&os.O_APPEND != 0 || f.inj.crashed {
		return -1
	}
	off, err := f.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return -1
	}
	return off
}

// isDir reports whether the file is a directory: known from its open flags
// if it was opened for writing or with O_DIRECTORY, else asked once of the
// wrapped file's Stat (even after a crash: it changes nothing, and keeps
// the trace right). The caller holds the injector's lock.
func (f *injectFile) isDir() bool {
	if f.dir != 0 {
		return f.dir > 0
	}
	switch {
	case f.flag&(os.O_WRONLY|os.O_RDWR) != 0:
		f.dir = -1
	case f.flag&oDIRECTORY != 0:
		f.dir = 1
	default:
		f.dir = -1
		if fi, err := f.f.Stat(); err == nil && fi.IsDir() {
			f.dir = 1
		}
	}
	return f.dir > 0
}

// simple runs an op on the file, or fails it with a *fs.PathError named
// osOp, doing nothing. What do returns besides the error is the op's N.
func (f *injectFile) simple(op Op, osOp string, do func() (int64, error)) error {
	i := f.inj
	i.mu.Lock()
	op.Path = f.path
	var err error
	if act := i.begin(&op); act.kind == actRun {
		op.N, err = do()
	} else {
		err = injectedErr(osOp, f.name, i.cause(act))
	}
	i.done(i.end(&op, err))
	return err
}

// Read implements File.Read.
func (f *injectFile) Read(p []byte) (int, error) {
	return f.read(p, -1)
}

// ReadAt implements File.ReadAt.
func (f *injectFile) ReadAt(p []byte, off int64) (int, error) {
	return f.read(p, off)
}

func (f *injectFile) read(p []byte, at int64) (n int, err error) {
	i := f.inj
	i.mu.Lock()
	op := Op{Kind: OpRead, Path: f.path, Off: at, Len: int64(len(p))}
	if at < 0 {
		op.Off = f.offset(false)
	}
	if act := i.begin(&op); act.kind != actRun {
		err = injectedErr("read", f.name, i.cause(act))
	} else if at < 0 {
		n, err = f.f.Read(p)
	} else {
		n, err = f.f.ReadAt(p, at)
	}
	op.N = int64(n)
	i.done(i.end(&op, err))
	return n, err
}

// Write implements File.Write.
func (f *injectFile) Write(p []byte) (int, error) {
	return f.write(p, -1)
}

// WriteAt implements File.WriteAt.
func (f *injectFile) WriteAt(p []byte, off int64) (int, error) {
	return f.write(p, off)
}

func (f *injectFile) write(p []byte, at int64) (n int, err error) {
	i := f.inj
	i.mu.Lock()
	op := Op{Kind: OpWrite, Path: f.path, Off: at, Len: int64(len(p)), Flag: syncWriteFlag(f.flag)}
	if at < 0 {
		op.Off = f.offset(true)
	}
	do := func(p []byte) (int, error) {
		if at < 0 {
			return f.f.Write(p)
		}
		return f.f.WriteAt(p, at)
	}
	switch act := i.begin(&op); act.kind {
	case actRun:
		n, err = do(p)
	case actShortWrite:
		n, err = do(p[:shortLen(len(p))])
		if err == nil {
			err = injectedErr("write", f.name, syscall.ENOSPC)
		}
	case actTornWrite:
		n, _ = do(p[:tornLen(op.Off, len(p))])
		err = injectedErr("write", f.name, i.cause(act))
	default:
		err = injectedErr("write", f.name, i.cause(act))
	}
	op.N = int64(n)
	i.done(i.end(&op, err))
	return n, err
}

// Seek implements File.Seek.
func (f *injectFile) Seek(offset int64, whence int) (ret int64, err error) {
	err = f.simple(Op{Kind: OpSeek, Off: offset, Flag: whence}, "seek", func() (int64, error) {
		ret, err = f.f.Seek(offset, whence)
		return ret, err
	})
	return ret, err
}

// Close implements File.Close. The wrapped file is closed even when the op
// fails by injection, as close(2) releases the descriptor even when it fails.
func (f *injectFile) Close() error {
	i := f.inj
	i.mu.Lock()
	op := Op{Kind: OpClose, Path: f.path}
	var err error
	if act := i.begin(&op); act.kind == actRun {
		err = f.f.Close()
	} else {
		f.f.Close()
		err = injectedErr("close", f.name, i.cause(act))
	}
	i.done(i.end(&op, err))
	return err
}

// CloseDescriptor implements DescriptorCloser: an OpClose, passed on to
// the wrapped file if it is a DescriptorCloser, nothing otherwise. A fault
// injected here fails it without passing it on; the file stays open.
func (f *injectFile) CloseDescriptor() error {
	return f.simple(Op{Kind: OpClose}, "close", func() (int64, error) {
		if dc, ok := f.f.(DescriptorCloser); ok {
			return 0, dc.CloseDescriptor()
		}
		return 0, nil
	})
}

// Sync implements File.Sync: an OpSyncDir on a directory, OpSync otherwise.
// An injected writeback error (see [SyncFailer]) on a file that implements
// SyncFailer calls its FailSync; any other injected errno, EINTR among
// them, fails the call and leaves the file's unsynced data pending.
func (f *injectFile) Sync() error {
	return f.sync(OpSync, "sync", f.f.Sync)
}

// Datasync implements Datasyncer: an OpDatasync (OpSyncDir on a
// directory), passed on through [Datasync], so that it is fdatasync on a
// file that has it and Sync on one that does not. Injected errors act as
// on Sync.
func (f *injectFile) Datasync() error {
	return f.sync(OpDatasync, "fdatasync", func() error { return Datasync(f.f) })
}

func (f *injectFile) sync(kind OpKind, osOp string, do func() error) error {
	i := f.inj
	i.mu.Lock()
	op := Op{Kind: kind, Path: f.path}
	if f.isDir() {
		op.Kind = OpSyncDir
	}
	var err error
	switch act := i.begin(&op); act.kind {
	case actRun:
		err = do()
	case actErrno:
		if sf, ok := f.f.(SyncFailer); ok && isWritebackErrno(act.errno) {
			sf.FailSync(act.errno)
		}
		err = injectedErr(osOp, f.name, act.errno)
	default:
		err = injectedErr(osOp, f.name, i.cause(act))
	}
	i.done(i.end(&op, err))
	return err
}

// Truncate implements File.Truncate.
func (f *injectFile) Truncate(size int64) error {
	return f.simple(Op{Kind: OpTruncate, Off: size}, "truncate", func() (int64, error) { return 0, f.f.Truncate(size) })
}

// Stat implements File.Stat.
func (f *injectFile) Stat() (fi fs.FileInfo, err error) {
	err = f.simple(Op{Kind: OpFstat}, "stat", func() (n int64, err error) { fi, err = f.f.Stat(); return 0, err })
	return fi, err
}

// Chmod implements File.Chmod.
func (f *injectFile) Chmod(mode fs.FileMode) error {
	return f.simple(Op{Kind: OpFchmod, Mode: mode}, "chmod", func() (int64, error) { return 0, f.f.Chmod(mode) })
}

// Chown implements File.Chown.
func (f *injectFile) Chown(uid, gid int) error {
	return f.simple(Op{Kind: OpFchown, Off: int64(uid), Len: int64(gid)}, "chown", func() (int64, error) { return 0, f.f.Chown(uid, gid) })
}
