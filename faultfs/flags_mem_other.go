//go:build !unix

package faultfs

// Flags the platform lacks never match.
const (
	oNOFOLLOW  = 1 << 30
	oDIRECTORY = 1 << 29
	oDSYNC     = 1 << 28
)
