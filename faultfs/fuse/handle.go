//go:build linux

package fuse

import (
	"context"
	"io"
	"io/fs"
	"sync"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// handle is an open file: reads, writes and syncs go to the FS's File, so
// a file unlinked while open keeps working.
type handle struct {
	mu     sync.Mutex // the FS's File need not be safe for concurrent use
	f      faultfs.File
	append bool // O_APPEND: every write goes to the FS's end of file

	onRelease func() // set before the handle is returned to the kernel
}

var (
	_ gofs.FileReader   = (*handle)(nil)
	_ gofs.FileWriter   = (*handle)(nil)
	_ gofs.FileFlusher  = (*handle)(nil)
	_ gofs.FileReleaser = (*handle)(nil)
)

// newHandle wraps f; the server counts it open until its release.
func (s *Server) newHandle(f faultfs.File, flags uint32) *handle {
	s.open.Add(1)
	return &handle{
		f:         f,
		append:    flags&syscall.O_APPEND != 0,
		onRelease: func() { s.open.Add(-1) },
	}
}

// Read implements gofs.FileReader.
func (h *handle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n, err := h.f.ReadAt(dest, off)
	if err != nil && err != io.EOF && n == 0 {
		return nil, errnoOf(err)
	}
	return fuse.ReadResultData(dest[:n]), 0
}

// Write implements gofs.FileWriter. A write the FS did only in part
// returns the part, as write(2) does; the error comes with the next write.
func (h *handle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if errno := h.dropSetID(ctx); errno != 0 {
		return 0, errno
	}
	if h.append {
		fi, err := h.f.Stat()
		if err != nil {
			return 0, errnoOf(err)
		}
		off = fi.Size()
	}
	n, err := h.f.WriteAt(data, off)
	if err != nil && n == 0 {
		return 0, errnoOf(err)
	}
	return uint32(n), 0
}

// Flush implements gofs.FileFlusher: close(2) of one descriptor, sent
// while close(2) waits, so in program order. On a [faultfs.DescriptorCloser]
// it is CloseDescriptor, which records the close and keeps the file open
// for the other descriptors (dup, fork) and for pages of a shared mmap
// written back later; on any other File there is nothing to do, and the
// close is the File's Close at RELEASE.
func (h *handle) Flush(ctx context.Context) syscall.Errno {
	h.mu.Lock()
	defer h.mu.Unlock()
	if dc, ok := h.f.(faultfs.DescriptorCloser); ok {
		return errnoOf(dc.CloseDescriptor())
	}
	return 0
}

// Release implements gofs.FileReleaser: the last descriptor is gone and
// the kernel has written back what it held, so the FS's File is closed
// (after a Flush, that records a close only if it was written since).
// The server counts the file open until Close has returned, so that
// [Server.WaitClosed] waits for what Close logs.
func (h *handle) Release(ctx context.Context) syscall.Errno {
	h.mu.Lock()
	err := h.f.Close()
	h.mu.Unlock()
	if h.onRelease != nil {
		h.onRelease()
	}
	return errnoOf(err)
}

func (h *handle) sync(datasync bool) syscall.Errno {
	h.mu.Lock()
	defer h.mu.Unlock()
	if datasync {
		return errnoOf(faultfs.Datasync(h.f))
	}
	return errnoOf(h.f.Sync())
}

func (h *handle) stat() (fs.FileInfo, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.f.Stat()
}

func (h *handle) chmod(m fs.FileMode) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.f.Chmod(m)
}

func (h *handle) chown(uid, gid int) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.f.Chown(uid, gid)
}

func (h *handle) truncate(size int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.f.Truncate(size)
}
