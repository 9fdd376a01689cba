//go:build linux

package crashscript

import (
	"bytes"
	"io"
	"sync"

	"github.com/crashcheck/crashcheck/cmd/crashcheck/cli"
	"github.com/rogpeppe/go-internal/testscript"
)

// canRun is cli.CanRun, asked once: whether the process is root and
// /dev/fuse usable does not change while the tests run.
var canRun = sync.OnceValue(cli.CanRun)

// runCrashcheck runs crashcheck run with args in the script's world (see
// the package documentation) and returns its exit status; the run's
// stdout and stderr become the script's.
func runCrashcheck(ts *testscript.TestScript, args []string) int {
	stdout, stderr := ts.Stdout(), ts.Stderr()
	w, err := probeScript(ts)
	if err != nil {
		ts.Fatalf("crashcheck run: %v", err)
	}
	var stdin io.Reader
	if len(w.Stdin) > 0 {
		stdin = bytes.NewReader(w.Stdin)
	}
	dir := ts.MkAbs(".")
	return cli.Run(cli.Invocation{Dir: dir, Env: w.Env, Stdin: stdin, Stdout: stdout, Stderr: stderr, DefaultDir: dir}, args)
}
