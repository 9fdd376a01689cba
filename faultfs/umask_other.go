//go:build !unix

package faultfs

import "io/fs"

// processUmask reports no mask where the platform has none.
func processUmask() fs.FileMode { return 0 }
