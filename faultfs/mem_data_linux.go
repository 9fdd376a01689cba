package faultfs

import "golang.org/x/sys/unix"

// prefaultMin is the smallest chunk worth a system call to prefault.
const prefaultMin = 256 << 10

// prefault asks the kernel for all of b's pages at once
// (MADV_POPULATE_WRITE, Linux 5.14), rather than one page fault at a time
// as the write copies into them. The log keeps every byte written, so a
// long run of writes is a stream of fresh pages, and faulting them in one
// call is cheaper. b's contents do not change (fresh pages are zero, as b
// is); on older kernels the call fails and nothing happens.
func prefault(b []byte) { _ = unix.Madvise(b, unix.MADV_POPULATE_WRITE) }
