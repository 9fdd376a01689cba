//go:build !unix

package writer

import "io/fs"

// fileOwner reports no owner where the platform has none to keep.
func fileOwner(fs.FileInfo) (uid, gid int) { return -1, -1 }

// processOwner reports no owner where the platform has none to keep.
func processOwner() (uid, gid int) { return -1, -1 }
