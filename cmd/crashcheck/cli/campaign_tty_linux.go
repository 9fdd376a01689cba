package cli

import "golang.org/x/sys/unix"

// fdIsTerminal reports whether fd is a terminal: whether it answers
// TCGETS.
func fdIsTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}
