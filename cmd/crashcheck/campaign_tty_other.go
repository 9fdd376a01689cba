//go:build !linux

package main

// fdIsTerminal reports false off Linux: progress is then printed as plain
// periodic lines.
func fdIsTerminal(fd int) bool { return false }
