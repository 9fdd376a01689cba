//go:build !linux

package crashscript

import (
	"errors"

	"github.com/rogpeppe/go-internal/testscript"
)

var errNotLinux = errors.New("crashcheck run needs Linux (a FUSE mount in a private mount and PID namespace)")

func canRun() error { return errNotLinux }

func runCrashcheck(ts *testscript.TestScript, args []string) int {
	ts.Fatalf("%v", errNotLinux)
	return 2
}
