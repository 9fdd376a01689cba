package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs/fuse"
	"github.com/rogpeppe/go-internal/testscript"
)

// runScriptCondition answers the conditions crashcheck run's scripts use:
// [root] (mounting with mount(2) needs it) and [fuse] (/dev/fuse usable).
func runScriptCondition(cond string) (bool, error) {
	switch cond {
	case "root":
		return os.Geteuid() == 0, nil
	case "fuse":
		return fuse.Available() == nil, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// TestRunScripts runs testdata/script/run/crashcheck_run_*.txtar, the
// scenarios of crashcheck run, which need the [root] and [fuse]
// conditions.
func TestRunScripts(t *testing.T) {
	files, err := filepath.Glob("../../testdata/script/run/crashcheck_run_*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/script/run/crashcheck_run_*.txtar scripts")
	}
	testscript.Run(t, testscript.Params{
		Files:               files,
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Condition:           runScriptCondition,
	})
}
