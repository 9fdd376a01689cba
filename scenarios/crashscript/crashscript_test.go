//go:build linux

package crashscript_test

import (
	"flag"
	"os"
	"testing"

	"github.com/crashcheck/crashcheck/scenarios/crashscript"
	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite testscript golden output in place")

func TestMain(m *testing.M) {
	// mytool is this binary: under -race, each clean exit of it would
	// sleep a second for race reports (testscript passes GORACE on).
	if os.Getenv("GORACE") == "" {
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	testscript.Main(m, map[string]func(){
		"mytool": func() { os.Exit(mytool()) },
	})
}

// TestScripts runs testdata/script/*.txtar with the Params the package
// documentation gives a user, and nothing more.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		Cmds:          crashscript.Commands(),
		Condition:     crashscript.Condition,
		UpdateScripts: *updateScripts,
	})
}
