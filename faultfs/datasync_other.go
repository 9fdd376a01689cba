//go:build !linux

package faultfs

import "os"

// osDatasync is f.Sync where fdatasync(2) is not used.
func osDatasync(f *os.File) error { return f.Sync() }
