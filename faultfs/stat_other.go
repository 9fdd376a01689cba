//go:build !linux && !darwin

package faultfs

import "io/fs"

// statT returns nil where the platform has no Stat_t.
func statT(ino, dev uint64, mode fs.FileMode, nlink, uid, gid int, size int64) any { return nil }

func (s statFields) sys() any { return nil }
