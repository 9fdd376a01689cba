package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite testscript golden output in place")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"crashcheck": func() { os.Exit(crashcheck(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/crashcheck_*.txtar at the repository root.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("../../testdata/script/crashcheck_*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no testdata/script/crashcheck_*.txtar scripts yet")
	}
	testscript.Run(t, testscript.Params{
		Files:               files,
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Cmds:                scriptCmds,
	})
}
