//go:build !linux

package writer

import "github.com/crashcheck/crashcheck/faultfs"

// xattrsOf returns fsys's extended attributes if it has the capability.
// The real filesystem's are not read here: on this platform extended
// attributes (and ACLs) are not kept.
func xattrsOf(fsys faultfs.FS) xattrFS {
	if x, ok := fsys.(xattrFS); ok {
		return x
	}
	return nil
}

// fileXattrs: a real file's extended attributes are not set on this
// platform.
func fileXattrs(faultfs.File) xattrFile { return nil }
