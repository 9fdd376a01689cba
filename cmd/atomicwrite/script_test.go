package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite testscript golden output in place")

// umaskEnv, when set in a script, is the umask the atomicwrite command
// runs under, so that scripts about modes do not depend on the caller's.
const umaskEnv = "ATOMICWRITE_TEST_UMASK"

// signalEnv, when set in a script, is the commit stage ("fsynced" or
// "renaming", see stageHook) at which the atomicwrite command sends
// itself SIGTERM.
const signalEnv = "ATOMICWRITE_TEST_SIGNAL_AT"

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"atomicwrite": func() {
			if u := os.Getenv(umaskEnv); u != "" {
				n, err := strconv.ParseUint(u, 8, 32)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				setUmask(int(n))
			}
			if at := os.Getenv(signalEnv); at != "" {
				signalSelfAt(at)
			}
			os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs testdata/script/atomicwrite_*.txtar at the repository
// root.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("../../testdata/script/atomicwrite_*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/script/atomicwrite_*.txtar scripts")
	}
	testscript.Run(t, testscript.Params{
		Files:               files,
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Cmds:                scriptCmds,
		Condition:           scriptCondition,
	})
}

// scriptCmds are the commands scripts use besides testscript's own.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// genbytes N FILE: FILE gets N bytes of 9-byte records, each its own
	// offset in hex and a newline, so that a dropped or repeated block
	// shows in cmp.
	"genbytes": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: genbytes N FILE")
		}
		n, err := strconv.Atoi(args[0])
		ts.Check(err)
		f, err := os.Create(ts.MkAbs(args[1]))
		ts.Check(err)
		const hex = "0123456789abcdef"
		buf := make([]byte, 9<<13)
		for off := 0; off < n; off += len(buf) {
			for r := 0; r < len(buf); r += 9 {
				v := off + r
				for d := 7; d >= 0; d-- {
					buf[r+d] = hex[v&0xf]
					v >>= 4
				}
				buf[r+8] = '\n'
			}
			_, err := f.Write(buf[:min(len(buf), n-off)])
			ts.Check(err)
		}
		ts.Check(f.Close())
	},
	// mode FILE OCTAL: FILE's permission bits are OCTAL (not, with !).
	"mode": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 2 {
			ts.Fatalf("usage: mode FILE OCTAL")
		}
		fi, err := os.Lstat(ts.MkAbs(args[0]))
		ts.Check(err)
		want, err := strconv.ParseUint(args[1], 8, 32)
		ts.Check(err)
		got := uint64(fi.Mode().Perm())
		if (got == want) == neg {
			ts.Fatalf("%s has mode %04o, want %s%04o", args[0], got, map[bool]string{true: "not "}[neg], want)
		}
	},
	// islink FILE: FILE is a symbolic link (not, with !).
	"islink": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: islink FILE")
		}
		fi, err := os.Lstat(ts.MkAbs(args[0]))
		ts.Check(err)
		if (fi.Mode()&os.ModeSymlink != 0) == neg {
			ts.Fatalf("%s is %v", args[0], fi.Mode())
		}
	},
	// notemp DIR: DIR holds no temporary file of the writer.
	"notemp": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: notemp DIR")
		}
		es, err := os.ReadDir(ts.MkAbs(args[0]))
		ts.Check(err)
		for _, e := range es {
			if matched, _ := filepath.Match(".*.crashcheck-tmp", e.Name()); matched {
				ts.Fatalf("temporary file left: %s", e.Name())
			}
		}
	},
	"mkfifo": mkfifoCmd,
}

// scriptCondition knows [acl]: the filesystem that holds the scripts'
// work directories (os.TempDir) takes POSIX ACLs, tried with setfacl.
func scriptCondition(cond string) (bool, error) {
	if cond != "acl" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	aclOnce.Do(func() {
		f, err := os.CreateTemp("", "acl-probe-")
		if err != nil {
			return
		}
		f.Close()
		defer os.Remove(f.Name())
		aclOK = exec.Command("setfacl", "-m", "user:daemon:r", f.Name()).Run() == nil
	})
	return aclOK, nil
}

var (
	aclOnce sync.Once
	aclOK   bool
)
