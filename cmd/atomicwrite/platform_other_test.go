//go:build !unix

package main

import "github.com/rogpeppe/go-internal/testscript"

func setUmask(int) {}

// mkfifoCmd is the script command mkfifo FILE; there are no FIFOs here.
func mkfifoCmd(ts *testscript.TestScript, neg bool, args []string) {
	ts.Skip("no FIFOs on this platform")
}
