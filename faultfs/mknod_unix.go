//go:build linux || darwin

package faultfs

import (
	"io/fs"
	"syscall"
)

var _ Mknoder = OS{}

// Mknod implements Mknoder with mknod(2).
func (OS) Mknod(name string, mode fs.FileMode, dev uint64) error {
	if err := syscall.Mknod(name, StatMode(mode), int(dev)); err != nil {
		return pathErr("mknod", name, err.(syscall.Errno))
	}
	return nil
}
