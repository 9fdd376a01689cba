package crashscript

import (
	"fmt"

	"github.com/rogpeppe/go-internal/testscript"
)

const usage = "usage: crashcheck run [flags] -- COMMAND [ARG...] (flags as crashcheck run's; without -dir, the run starts from a copy of the script's current directory)"

// Commands returns the commands for testscript.Params.Cmds: crashcheck,
// whose one subcommand is run (see the package documentation).
func Commands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"crashcheck": cmdCrashcheck,
	}
}

// Condition answers testscript conditions for testscript.Params.Condition:
// "crashcheck" is true where crashcheck run can mount its test filesystem
// (Linux, root, /dev/fuse). Any other condition is an error.
func Condition(cond string) (bool, error) {
	switch cond {
	case "crashcheck":
		return canRun() == nil, nil
	}
	return false, fmt.Errorf("unknown condition %q (crashscript answers [crashcheck])", cond)
}

// cmdCrashcheck is the script command `crashcheck run ...`.
func cmdCrashcheck(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 || args[0] != "run" {
		ts.Fatalf("%s", usage)
	}
	code := runCrashcheck(ts, args[1:])
	if err := outcome(code, neg); err != nil {
		ts.Fatalf("%v", err)
	}
}

// outcome is nil when crashcheck run's exit status code is what the
// script asked for (neg: a violation), else why the script fails. A
// usage or set-up error, or something NOT TESTED, always fails it.
func outcome(code int, neg bool) error {
	switch {
	case code == 0 && !neg, code == 1 && neg:
		return nil
	case code == 0:
		return fmt.Errorf("crashcheck run found no violation; want one (the command is negated with !)")
	case code == 1:
		return fmt.Errorf("crashcheck run found a violation (exit status 1; the report is above)")
	case code == 2:
		return fmt.Errorf("crashcheck run could not test (exit status 2: usage or set-up error, or NOT TESTED; see above); ! asserts a violation, never this")
	}
	return fmt.Errorf("crashcheck run: unexpected exit status %d", code)
}
