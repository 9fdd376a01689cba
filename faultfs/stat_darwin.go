//go:build darwin

package faultfs

func uint64ToDev(d uint64) int32 { return int32(d) }

func nlinkT(n int) uint16 { return uint16(n) }

func modeT(m uint32) uint16 { return uint16(m) }
