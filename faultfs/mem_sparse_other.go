//go:build !linux

package faultfs

// flatZeros returns size zero bytes.
func flatZeros(size int64) []byte { return make([]byte, size) }
