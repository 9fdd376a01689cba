//go:build !unix

package main

import "github.com/rogpeppe/go-internal/testscript"

func setUmask(int) {}

// mkfifoCmd is the script command mkfifo FILE; there are no FIFOs here
// (scripts guard it with [unix]).
func mkfifoCmd(ts *testscript.TestScript, neg bool, args []string) {
	ts.Fatalf("mkfifo: no FIFOs on this platform")
}
