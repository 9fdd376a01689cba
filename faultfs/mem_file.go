package faultfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// memFile is an open file of a Mem. It refers to its inode, so it keeps
// working after the name is removed or replaced.
type memFile struct {
	m      *Mem
	n      *inode
	name   string
	flag   int
	off    int64
	closed bool
	wrote  bool // written or truncated through this handle
	truncZ bool // truncated to zero through this handle, then written

	// dirPos is the last entry name ReadDir returned (mem_file_readdir.go).
	dirPos *string
}

var (
	_ File       = (*memFile)(nil)
	_ SyncFailer = (*memFile)(nil)
	_ Datasyncer = (*memFile)(nil)
)

func (f *memFile) canRead() bool  { return f.flag&(os.O_WRONLY|os.O_RDWR) != os.O_WRONLY }
func (f *memFile) canWrite() bool { return f.flag&(os.O_WRONLY|os.O_RDWR) != 0 }

// check returns the error for op on a closed handle.
func (f *memFile) check(op string) error {
	if f.closed {
		return &fs.PathError{Op: op, Path: f.name, Err: os.ErrClosed}
	}
	return nil
}

// Name implements File.Name.
func (f *memFile) Name() string { return f.name }

// Read implements File.Read.
func (f *memFile) Read(p []byte) (int, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	n, err := f.readAtLocked("read", p, f.off)
	f.off += int64(n)
	return n, err
}

// ReadAt implements File.ReadAt.
func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if off < 0 {
		return 0, &fs.PathError{Op: "readat", Path: f.name, Err: errors.New("negative offset")}
	}
	n, err := f.readAtLocked("read", p, off)
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

func (f *memFile) readAtLocked(op string, p []byte, off int64) (int, error) {
	if err := f.check(op); err != nil {
		return 0, err
	}
	if f.n.isDir() {
		return 0, pathErr(op, f.name, syscall.EISDIR)
	}
	if !f.canRead() {
		return 0, pathErr(op, f.name, syscall.EBADF)
	}
	f.m.accessed(f.n)
	d := f.n.content()
	if off >= d.size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	return d.read(p, off), nil
}

// Write implements File.Write. Through a file opened with O_SYNC or
// O_DSYNC the data is durable when Write returns (see the package doc).
func (f *memFile) Write(p []byte) (int, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	off := f.off
	if f.flag&os.O_APPEND != 0 {
		off = f.n.size()
	}
	n, err := f.writeAtLocked("write", p, off)
	f.off = off + int64(n)
	return n, err
}

// WriteAt implements File.WriteAt.
func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if f.flag&os.O_APPEND != 0 {
		return 0, errors.New("os: invalid use of WriteAt on file opened with O_APPEND")
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "writeat", Path: f.name, Err: errors.New("negative offset")}
	}
	return f.writeAtLocked("write", p, off)
}

func (f *memFile) writeAtLocked(op string, p []byte, off int64) (int, error) {
	if err := f.check(op); err != nil {
		return 0, err
	}
	if !f.canWrite() {
		return 0, pathErr(op, f.name, syscall.EBADF)
	}
	m, n := f.m, f.n
	d := n.content()
	want := p
	var err error
	if len(p) > 0 && off >= maxFileSize {
		return 0, pathErr(op, f.name, syscall.EFBIG)
	}
	if off+int64(len(p)) > maxFileSize {
		want = p[:maxFileSize-off] // a short write up to the limit, as ext4's
	}
	if m.quota > 0 {
		if grow := off + int64(len(p)) - d.size; grow > 0 && m.used+grow > m.quota {
			room := m.quota - m.used + d.size - off
			want = want[:max(min(room, int64(len(want))), 0)]
			err = pathErr(op, f.name, syscall.ENOSPC)
		}
	}
	if len(want) == 0 {
		return 0, err // nothing written: the size does not change either
	}
	if end := off + int64(len(want)); end > d.size && n.nlink > 0 {
		// An unlinked file's growth is not charged (see resize).
		m.used += end - d.size
	}
	// The view and the log share the one copy write makes (mem_data.go).
	data := d.writeReusing(want, off, m.reusable(off, len(want)))
	m.modified(n)
	f.wrote = true
	m.record(logOp{op: Op{Kind: OpWrite, Path: f.name, Off: off, Len: int64(len(p)), Flag: syncWriteFlag(f.flag)},
		ino: n.ino, off: off, data: data})
	return len(want), err
}

// lseek(2)'s SEEK_DATA and SEEK_HOLE.
const (
	seekData = 3
	seekHole = 4
)

// Seek implements File.Seek.
func (f *memFile) Seek(offset int64, whence int) (int64, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("seek"); err != nil {
		return 0, err
	}
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = f.off + offset
	case io.SeekEnd:
		abs = f.n.size() + offset
	case seekData, seekHole:
		// Mem keeps no holes: the whole file is data, followed by the
		// implicit hole at its end, as lseek(2) allows.
		size := f.n.size()
		if offset < 0 || offset >= size {
			return 0, pathErr("seek", f.name, syscall.ENXIO)
		}
		abs = offset
		if whence == seekHole {
			abs = size
		}
	default:
		return 0, pathErr("seek", f.name, syscall.EINVAL)
	}
	if abs < 0 {
		return 0, pathErr("seek", f.name, syscall.EINVAL)
	}
	f.off = abs
	return abs, nil
}

// Close implements File.Close.
func (f *memFile) Close() error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("close"); err != nil {
		return err
	}
	f.closed = true
	if f.wrote {
		f.m.record(logOp{op: Op{Kind: OpClose, Path: f.name}, ino: f.n.ino, truncZ: f.truncZ})
	}
	return nil
}

// Sync implements File.Sync: on a file, its data and attributes become
// durable; on a directory, its entries.
func (f *memFile) Sync() error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("sync"); err != nil {
		return err
	}
	kind := OpSync
	if f.n.isDir() {
		kind = OpSyncDir
	}
	f.m.record(logOp{op: Op{Kind: kind, Path: f.name}, ino: f.n.ino})
	return nil
}

// Datasync implements Datasyncer: on a file, its data and size become
// durable; on a directory, its entries (as Sync).
func (f *memFile) Datasync() error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("fdatasync"); err != nil {
		return err
	}
	kind := OpDatasync
	if f.n.isDir() {
		kind = OpSyncDir
	}
	f.m.record(logOp{op: Op{Kind: kind, Path: f.name}, ino: f.n.ino})
	return nil
}

// FailSync implements SyncFailer: the fsync fails with err, and the data
// written to the file since its last successful sync is lost from the
// durable view while reads still return it.
func (f *memFile) FailSync(err error) error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if cerr := f.check("sync"); cerr != nil {
		return cerr
	}
	f.m.record(logOp{op: Op{Kind: OpSyncFailed, Path: f.name, Err: err}, ino: f.n.ino})
	return err
}

// Truncate implements File.Truncate.
func (f *memFile) Truncate(size int64) error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("truncate"); err != nil {
		return err
	}
	if f.n.isDir() || !f.canWrite() || size < 0 {
		return pathErr("truncate", f.name, syscall.EINVAL)
	}
	if size > maxFileSize {
		return pathErr("truncate", f.name, syscall.EFBIG)
	}
	if q, cur := f.m.quota, f.n.size(); q > 0 && size > cur && f.m.used+size-cur > q {
		return pathErr("truncate", f.name, syscall.ENOSPC)
	}
	f.m.truncateLocked(f, f.name, size)
	return nil
}

func (m *Mem) truncateLocked(f *memFile, name string, size int64) {
	m.resize(f.n, size)
	m.modified(f.n)
	f.wrote = true
	f.truncZ = size == 0
	m.record(logOp{op: Op{Kind: OpTruncate, Path: name, Off: size}, ino: f.n.ino, off: size})
}

// Stat implements File.Stat.
func (f *memFile) Stat() (fs.FileInfo, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("stat"); err != nil {
		return nil, err
	}
	return f.m.infoLocked(f.n, baseName(f.name)), nil
}

// Chmod implements File.Chmod.
func (f *memFile) Chmod(mode fs.FileMode) error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("chmod"); err != nil {
		return err
	}
	f.m.chmodLocked(OpFchmod, f.name, f.n, mode)
	return nil
}

// Chown implements File.Chown.
func (f *memFile) Chown(uid, gid int) error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("chown"); err != nil {
		return err
	}
	f.m.chownLocked(OpFchown, f.name, f.n, uid, gid)
	return nil
}
