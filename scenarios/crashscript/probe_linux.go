//go:build linux

package crashscript

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/rogpeppe/go-internal/testscript"
)

// A command of Params.Cmds sees of its script only what TestScript
// exports: Getenv by name (not the whole environment) and no standard
// input (a `stdin` line is kept for the next exec). So the command asks
// exec itself: it runs the test binary once more, with ts.Exec, as a
// probe that writes down the environment and standard input exec gave
// it, which are exactly what `exec COMMAND` would give COMMAND (PWD
// included), and consumes the `stdin` as an exec does.

// probeArg, as the only argument but the output file's name, makes the
// binary the probe (this package's init runs it before any main).
const probeArg = "-crashscript.probe-script-environment"

// scriptWorld is what the probe found.
type scriptWorld struct {
	Env   []string
	Stdin []byte
}

func init() {
	if len(os.Args) == 3 && os.Args[1] == probeArg {
		code := probeMain(os.Args[2])
		if code == 0 {
			// Not os.Exit: under the race detector a clean exit sleeps a
			// second (GORACE's atexit_sleep_ms) for the reports of other
			// goroutines, of which the probe has none, and it has nothing
			// else to flush.
			syscall.Exit(0)
		}
		os.Exit(code)
	}
}

// probeMain writes the probe's environment and standard input to out, as
// JSON, and returns its exit status.
func probeMain(out string) int {
	stdin, err := io.ReadAll(os.Stdin)
	if err == nil {
		var data []byte
		data, err = json.Marshal(scriptWorld{Env: os.Environ(), Stdin: stdin})
		if err == nil {
			err = os.WriteFile(out, data, 0o600)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "crashscript probe: %v\n", err)
		return 1
	}
	return 0
}

// probeScript runs the probe in ts and returns what it found.
func probeScript(ts *testscript.TestScript) (scriptWorld, error) {
	var w scriptWorld
	exe, err := os.Executable()
	if err != nil {
		return w, fmt.Errorf("reading the script's environment: %v", err)
	}
	f, err := os.CreateTemp("", "crashscript-probe-*.json")
	if err != nil {
		return w, fmt.Errorf("reading the script's environment: %v", err)
	}
	f.Close()
	defer os.Remove(f.Name())
	if err := ts.Exec(exe, probeArg, f.Name()); err != nil {
		return w, fmt.Errorf("reading the script's environment (running the test binary %s as its probe): %v", exe, err)
	}
	data, err := os.ReadFile(f.Name())
	if err == nil {
		err = json.Unmarshal(data, &w)
	}
	if err != nil {
		return w, fmt.Errorf("reading the script's environment from its probe: %v", err)
	}
	return w, nil
}
