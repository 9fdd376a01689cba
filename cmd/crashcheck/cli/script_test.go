//go:build linux

package cli

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite testscript golden output in place")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"crashcheck": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/crashcheck_*.txtar at the repository root.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("../../../testdata/script/crashcheck_*.txtar")
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
		Condition:           runScriptCondition,
		Setup: func(env *testscript.Env) error {
			// Scripts that crash-test our own atomicwrite find it on PATH.
			if dir := atomicwriteBin(t); dir != "" {
				env.Setenv("PATH", dir+string(os.PathListSeparator)+env.Getenv("PATH"))
			}
			return nil
		},
	})
}

var (
	atomicwriteOnce sync.Once
	atomicwriteDir  string
)

// atomicwriteBin builds cmd/atomicwrite once per test binary and returns
// the directory holding it ("" if it cannot be built: the scripts that
// need it then skip on [exec:atomicwrite]).
func atomicwriteBin(t *testing.T) string {
	atomicwriteOnce.Do(func() {
		dir, err := os.MkdirTemp("", "crashcheck-scripts-bin-")
		if err != nil {
			t.Logf("cannot build atomicwrite: %v", err)
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "atomicwrite"), "../../atomicwrite").CombinedOutput()
		if err != nil {
			t.Logf("cannot build atomicwrite: %v\n%s", err, strings.TrimSpace(string(out)))
			return
		}
		atomicwriteDir = dir
	})
	return atomicwriteDir
}
