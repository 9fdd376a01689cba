package faultfs

import "golang.org/x/sys/unix"

// flatZeros returns size zero bytes. Large runs are an anonymous mapping
// the kernel backs with memory only where written (reads of the rest see
// the shared zero page), so a sparse file's snapshot costs its data, not
// its size. The mapping is never unmapped: snapshots are shared by crash
// states with no known end of life.
func flatZeros(size int64) []byte {
	if size < sparseMinPages*pageSize {
		return make([]byte, size)
	}
	b, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return make([]byte, size) // as a dense file would
	}
	return b
}
