//go:build linux

package faultfs

func uint64ToDev(d uint64) uint64 { return d }

func nlinkT(n int) uint64 { return uint64(n) }

func modeT(m uint32) uint32 { return m }
