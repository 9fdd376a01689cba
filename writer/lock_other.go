//go:build !unix

package writer

import "github.com/crashcheck/crashcheck/faultfs"

// lockTemp: temporary files are not locked on this platform.
func lockTemp(faultfs.File) {}

// inUse: a live replace's temporary file cannot be told from a dead one's
// here but by its age.
func inUse(faultfs.FS, string) bool { return false }
