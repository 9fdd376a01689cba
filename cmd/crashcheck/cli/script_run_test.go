//go:build linux

package cli

import (
	"fmt"
	"github.com/crashcheck/crashcheck/faultfs/fuse"
	"os"
)

// runScriptCondition answers the conditions crashcheck run's scripts use:
// [root] (mounting with mount(2) needs it) and [fuse] (/dev/fuse usable).
func runScriptCondition(cond string) (bool, error) {
	switch cond {
	case "root":
		return os.Geteuid() == 0, nil
	case "fuse":
		return fuse.Available() == nil, nil
	case "race":
		return raceDetector, nil
	case "slow":
		// Scripts that take minutes run only when asked for.
		return os.Getenv("CRASHCHECK_SLOW_TESTS") == "1", nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}
