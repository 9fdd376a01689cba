//go:build unix

package faultfs

import (
	"os"
	"syscall"
)

var openFlagNames = []struct {
	bit  int
	name string
}{
	{os.O_CREATE, "O_CREAT"}, {os.O_EXCL, "O_EXCL"}, {os.O_TRUNC, "O_TRUNC"},
	{os.O_APPEND, "O_APPEND"}, {os.O_SYNC, "O_SYNC"}, {syscall.O_NOFOLLOW, "O_NOFOLLOW"},
	{syscall.O_CLOEXEC, "O_CLOEXEC"}, {syscall.O_DIRECTORY, "O_DIRECTORY"},
}
