//go:build unix

package faultfs

import "syscall"

const (
	oNOFOLLOW  = syscall.O_NOFOLLOW
	oDIRECTORY = syscall.O_DIRECTORY
	oDSYNC     = syscall.O_DSYNC
)
