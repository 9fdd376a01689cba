package blockdev

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	ccfuse "github.com/crashcheck/crashcheck/faultfs/fuse"
	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// Device serves one in-memory [Image] as the file "disk" of a FUSE mount,
// opened with direct I/O, and logs every request the kernel sends it
// while recording. A loop device on that file (buffered, the default)
// is a block device with a volatile write cache and no FUA: each block
// write arrives as a WRITE and each cache flush as an FSYNC, in the
// order the block layer issued them. Its methods are safe for concurrent
// use.
type Device struct {
	dir  string // the mount point
	fuse *fuse.Server

	mu        sync.Mutex
	img       *Image
	recording bool
	log       []Entry
	base      *Image
}

// DiskName is the name of the image file in a Device's mount.
const DiskName = "disk"

// NewDevice mounts a Device serving img at dir, an existing empty
// directory; it needs root.
func NewDevice(dir string, img *Image) (*Device, error) {
	d := &Device{dir: dir, img: img}
	zero := time.Duration(0)
	opts := &gofs.Options{
		MountOptions: fuse.MountOptions{
			FsName:               "crashcheck-blockdev",
			Name:                 "crashcheck",
			MaxWrite:             1 << 20,
			DirectMount:          true,
			DirectMountStrict:    true,
			DisabledCapabilities: fuse.CAP_WRITEBACK_CACHE | fuse.CAP_PASSTHROUGH,
		},
		EntryTimeout:    &zero,
		AttrTimeout:     &zero,
		NegativeTimeout: &zero,
	}
	root := &deviceRoot{d: d}
	srv, err := gofs.Mount(dir, root, opts)
	if err != nil {
		return nil, &os.PathError{Op: "mount block device", Path: dir, Err: err}
	}
	d.fuse = srv
	ccfuse.CloseFuseOnExec()
	return d, nil
}

// Path returns the image file's path.
func (d *Device) Path() string { return filepath.Join(d.dir, DiskName) }

// Record starts logging: the image's content now is the log's base.
// Call it right after a flush, so that the base is durable.
func (d *Device) Record() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.base = d.img.Clone()
	d.log = nil
	d.recording = true
}

// Stop ends logging and returns the base and the requests logged since
// Record.
func (d *Device) Stop() (base *Image, entries []Entry) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.recording = false
	base, entries = d.base, d.log
	d.base, d.log = nil, nil
	return base, entries
}

// Logged returns how many requests have been logged so far.
func (d *Device) Logged() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.log)
}

// Close unmounts the device; the loop device on it must be gone first.
func (d *Device) Close() error {
	if err := d.fuse.Unmount(); err != nil {
		return unmountDir(d.dir)
	}
	return nil
}

func (d *Device) write(p []byte, off int64) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := d.img.WriteAt(p, off)
	if d.recording && n > 0 {
		d.log = append(d.log, Entry{Kind: Write, Off: off, Len: int64(n), Data: append([]byte(nil), p[:n]...)})
	}
	return n
}

func (d *Device) zero(off, n int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n = min(n, d.img.size-off)
	if n <= 0 {
		return
	}
	d.img.Zero(off, n)
	if d.recording {
		d.log = append(d.log, Entry{Kind: Zero, Off: off, Len: n})
	}
}

func (d *Device) flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.recording {
		d.log = append(d.log, Entry{Kind: Flush})
	}
}

// deviceRoot is the mount's root directory, holding the disk file.
type deviceRoot struct {
	gofs.Inode
	d *Device
}

var _ gofs.NodeOnAdder = (*deviceRoot)(nil)

func (r *deviceRoot) OnAdd(ctx context.Context) {
	ch := r.NewPersistentInode(ctx, &diskFile{d: r.d}, gofs.StableAttr{Mode: syscall.S_IFREG, Ino: 2})
	r.AddChild(DiskName, ch, false)
}

// diskFile is the image file.
type diskFile struct {
	gofs.Inode
	d *Device
}

var (
	_ gofs.NodeOpener    = (*diskFile)(nil)
	_ gofs.NodeReader    = (*diskFile)(nil)
	_ gofs.NodeWriter    = (*diskFile)(nil)
	_ gofs.NodeFsyncer   = (*diskFile)(nil)
	_ gofs.NodeGetattrer = (*diskFile)(nil)
	_ gofs.NodeSetattrer = (*diskFile)(nil)
	_ gofs.NodeAllocater = (*diskFile)(nil)
	_ gofs.NodeFlusher   = (*diskFile)(nil)
)

// Open implements gofs.NodeOpener: direct I/O, so that every write
// reaches the server at once and in order.
func (f *diskFile) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	return nil, fuse.FOPEN_DIRECT_IO, 0
}

// Read implements gofs.NodeReader.
func (f *diskFile) Read(ctx context.Context, fh gofs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	f.d.mu.Lock()
	defer f.d.mu.Unlock()
	if off >= f.d.img.size {
		return fuse.ReadResultData(nil), 0
	}
	n := min(int64(len(dest)), f.d.img.size-off)
	f.d.img.ReadAt(dest[:n], off)
	return fuse.ReadResultData(dest[:n]), 0
}

// Write implements gofs.NodeWriter; a write past the end is ENOSPC, as on
// a disk.
func (f *diskFile) Write(ctx context.Context, fh gofs.FileHandle, data []byte, off int64) (uint32, syscall.Errno) {
	n := f.d.write(data, off)
	if n == 0 && len(data) > 0 {
		return 0, syscall.ENOSPC
	}
	return uint32(n), 0
}

// Fsync implements gofs.NodeFsyncer: a cache flush of the block device.
func (f *diskFile) Fsync(ctx context.Context, fh gofs.FileHandle, flags uint32) syscall.Errno {
	f.d.flush()
	return 0
}

// Flush implements gofs.NodeFlusher (close(2)); nothing to do.
func (f *diskFile) Flush(ctx context.Context, fh gofs.FileHandle) syscall.Errno { return 0 }

// Allocate implements gofs.NodeAllocater: the loop device turns discard
// and write-zeroes into punching or zeroing fallocates; a plain
// preallocation changes nothing in a fixed-size image.
func (f *diskFile) Allocate(ctx context.Context, fh gofs.FileHandle, off, size uint64, mode uint32) syscall.Errno {
	if mode&(unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_ZERO_RANGE) != 0 {
		f.d.zero(int64(off), int64(size))
	}
	return 0
}

// Getattr implements gofs.NodeGetattrer.
func (f *diskFile) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = syscall.S_IFREG | 0o600
	out.Size = uint64(f.d.img.size)
	out.Blocks = (out.Size + 511) / 512
	out.Nlink = 1
	return 0
}

// Setattr implements gofs.NodeSetattrer: the size is fixed.
func (f *diskFile) Setattr(ctx context.Context, fh gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if sz, ok := in.GetSize(); ok && sz != uint64(f.d.img.size) {
		return syscall.EPERM
	}
	return f.Getattr(ctx, fh, out)
}

func (d *Device) String() string { return fmt.Sprintf("blockdev %s (%d bytes)", d.Path(), d.img.size) }
