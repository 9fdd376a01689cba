//go:build unix

package main

import (
	"os"
	"syscall"
	"time"
)

// signalSelfAt has the command send itself SIGTERM at the commit stage at
// (see stageHook), and gives the handler time to act on it.
func signalSelfAt(at string) {
	stageHook = func(stage string) {
		if stage == at {
			syscall.Kill(os.Getpid(), syscall.SIGTERM)
			time.Sleep(100 * time.Millisecond)
		}
	}
}
