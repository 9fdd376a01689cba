//go:build !linux

package main

import (
	"fmt"
	"os"
	"runtime"
)

// main says that crashcheck needs Linux: its run command mounts a FUSE
// filesystem, and the other commands come with it.
func main() {
	fmt.Fprintf(os.Stderr, "crashcheck: runs on Linux only, not %s (it mounts its test filesystem with FUSE)\n", runtime.GOOS)
	os.Exit(2)
}
