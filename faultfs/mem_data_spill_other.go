//go:build !linux

package faultfs

import "errors"

// Spilling needs shared file mappings whose pages can be dropped
// (madvise MADV_DONTNEED) and reserved space (fallocate): on Linux only
// (mem_data_spill_linux.go). Elsewhere no store opens, and a Mem keeps
// all its data on the Go heap, as it did before spilling existed.

func spillOpen() (int, error) { return -1, errors.ErrUnsupported }

// The rest is reached only through a store spillOpen opened.

func spillReserveAddrs(int) ([]byte, error)   { return nil, errors.ErrUnsupported }
func spillMap(int, int64, []byte, bool) error { return errors.ErrUnsupported }
func spillReserve(int, int64, int64) error    { return errors.ErrUnsupported }
func spillDrop([]byte)                        {}
func spillRetire([]byte)                      {}
func spillUnmap([]byte)                       {}
func spillClose(int)                          {}
