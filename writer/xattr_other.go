//go:build !linux

package writer

import "github.com/crashcheck/crashcheck/faultfs"

// systemXattrs: the real filesystem's extended attributes are not read on
// this platform, so ACLs and extended attributes are not kept (see
// "Limits" in the package doc).
func systemXattrs(faultfs.FS, string) XattrFS { return nil }

// fileXattrs: a real file's extended attributes are not set on this
// platform.
func fileXattrs(faultfs.File, string, XattrFS) XattrFile { return nil }
