package faultfs

import (
	"errors"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The system calls behind a spill store (mem_data_spill_store.go).

// spillOpen returns a descriptor of a fresh temporary file in os.TempDir()
// that has no name: made with O_TMPFILE, or, where the filesystem lacks
// it, created and unlinked at once (a process killed in between leaves the
// file behind: only then).
func spillOpen() (int, error) {
	dir := os.TempDir()
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return fd, nil
	}
	f, err := os.CreateTemp(dir, "crashcheck-spill-")
	if err != nil {
		return -1, err
	}
	defer f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return -1, err
	}
	return unix.Dup(int(f.Fd()))
}

// spillReserveAddrs reserves size bytes of address space, inaccessible
// and backed by nothing, for file segments to be mapped into (spillMap).
func spillReserveAddrs(size int) ([]byte, error) {
	p, err := unix.MmapPtr(-1, 0, nil, uintptr(size), unix.PROT_NONE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*byte)(p), size), nil
}

// spillMap maps file fd from off over at (reserved addresses), shared:
// what is written into the memory is written into the file, and the kernel
// may take the pages back and fault them in again from it. With reserve,
// the file's blocks are allocated first (fallocate), so that writing into
// the memory can never fail for want of space (it would kill the process
// with SIGBUS); without, the range is a hole until spillReserve is called
// for the parts to be written.
func spillMap(fd int, off int64, at []byte, reserve bool) error {
	if reserve {
		if err := spillReserve(fd, off, int64(len(at))); err != nil {
			return err
		}
	} else if err := unix.Ftruncate(fd, off+int64(len(at))); err != nil {
		return err
	}
	_, err := unix.MmapPtr(fd, off, unsafe.Pointer(unsafe.SliceData(at)), uintptr(len(at)),
		unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_FIXED)
	return err
}

// spillReserve allocates the file's blocks for [off, off+n), growing it if
// need be. A filesystem that runs out of space part way keeps what it
// allocated; that part is punched out again, so a failed reservation
// leaves no space taken.
func spillReserve(fd int, off, n int64) error {
	err := unix.Fallocate(fd, 0, off, n)
	if err != nil && !errors.Is(err, unix.EOPNOTSUPP) {
		_ = unix.Fallocate(fd, unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
	}
	return err
}

// spillDrop takes b's pages out of the process's resident set: a shared
// mapping's pages stay in the page cache (written back to the file when
// the kernel needs the memory) and fault in again when next touched, with
// the same bytes.
func spillDrop(b []byte) { _ = unix.Madvise(b, unix.MADV_DONTNEED) }

// spillRetire replaces the mapping b with an inaccessible one of no
// memory: the file's pages are let go, while the addresses stay reserved,
// so that a slice still pointing there (none should) faults rather than
// read whatever the kernel might map there next.
func spillRetire(b []byte) {
	_, _ = unix.MmapPtr(-1, 0, unsafe.Pointer(unsafe.SliceData(b)), uintptr(len(b)), unix.PROT_NONE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED|unix.MAP_NORESERVE)
}

// spillUnmap gives back addresses no slice was ever handed.
func spillUnmap(b []byte) { _ = unix.MunmapPtr(unsafe.Pointer(unsafe.SliceData(b)), uintptr(len(b))) }

// spillClose closes the file: with no mapping of it left, its space is freed.
func spillClose(fd int) { _ = unix.Close(fd) }
