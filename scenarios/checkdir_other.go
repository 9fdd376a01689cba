//go:build !linux

package scenarios

import (
	"fmt"
	"runtime"
)

// CheckDirAvailable reports why [CheckDir] cannot mount its directory in
// this process: here, always, since it mounts with FUSE through
// faultfs/fuse, which is Linux-only.
func CheckDirAvailable() error {
	return fmt.Errorf("CheckDir mounts a FUSE filesystem through faultfs/fuse, which is Linux-only; this is %s", runtime.GOOS)
}

// verifyDir cannot run here; CheckDir and CheckDirT stop at
// CheckDirAvailable before they call it.
func verifyDir(spec DirSpec) (*Report, error) {
	return nil, fmt.Errorf("scenario %s: %w: %w", spec.name(), errCannotMount, CheckDirAvailable())
}
