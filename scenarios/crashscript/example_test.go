package crashscript_test

import (
	"testing"

	"github.com/crashcheck/crashcheck/scenarios/crashscript"
	"github.com/rogpeppe/go-internal/testscript"
)

// A program's tests run its scripts in testdata/script with the crashcheck
// command and the [crashcheck] condition, e.g. testdata/script/config.txtar:
//
//	[!crashcheck] skip 'needs root and /dev/fuse'
//	exec mytool init
//	crashcheck run -file config.json -model all -durable -- mytool set name=new
//	! crashcheck run -file config.json -- sh -c 'echo new > config.json'
func Example() {
	_ = func(t *testing.T) { // func TestScripts(t *testing.T) in a _test.go file
		testscript.Run(t, testscript.Params{
			Dir:       "testdata/script",
			Cmds:      crashscript.Commands(),
			Condition: crashscript.Condition,
		})
	}
}
