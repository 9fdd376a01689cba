package faultfs

import (
	"io/fs"
	"time"
)

// statFields is what stat(2) reports of a file; sys (per platform) turns
// it into FileInfo.Sys's value. Zero times are left zero.
type statFields struct {
	ino, dev, rdev      uint64
	mode                fs.FileMode
	nlink, uid, gid     int
	size, blocks        int64 // blocks: 512-byte units allocated
	atime, mtime, ctime time.Time
}
