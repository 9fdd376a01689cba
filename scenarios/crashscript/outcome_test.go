//go:build linux

package crashscript_test

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/crashcheck/crashcheck/cmd/crashcheck/cli"
	"github.com/crashcheck/crashcheck/scenarios/crashscript"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestScriptOutcomes runs each script of testdata/fail on a testscript.T
// of its own and checks how it ended (failed, skipped or passed) and what
// its log says: what testscript.Run cannot check of itself, that a script
// fails (or skips) when it should.
func TestScriptOutcomes(t *testing.T) {
	fuse := cli.CanRun()
	tests := []struct {
		script   string
		needFUSE bool
		verbose  bool
		want     outcome
		log      []string // regular expressions the log must match, (?m)
	}{
		{"negated_usage_error", false, false, failed, []string{
			`^crashcheck run: unknown flag -bogus$`,
			`^FAIL: .*negated_usage_error.txtar:2: crashcheck run could not test \(exit status 2: usage or set-up error, or NOT TESTED; see above\); ! asserts a violation, never this$`,
		}},
		{"setup_error", false, false, failed, []string{
			`^crashcheck run: COMMAND not found: exec: "no-such-command-here": executable file not found in \$PATH$`,
			`^FAIL: .*setup_error.txtar:3: crashcheck run could not test`,
		}},
		{"not_run", false, false, failed, []string{
			`^FAIL: .*not_run.txtar:2: usage: crashcheck run \[flags\] -- COMMAND \[ARG\.\.\.\] \(flags as crashcheck run's; without -dir, the run starts from a copy of the script's current directory\)$`,
		}},
		{"negated_not_tested", true, false, failed, []string{
			`^NOT TESTED: COMMAND made no operation on the mounted tree`,
			`^FAIL: .*negated_not_tested.txtar:4: crashcheck run could not test`,
		}},
		{"negated_no_violation", true, false, failed, []string{
			`^crashcheck run: model all: .*; COMMAND exited 0; no violation$`,
			`^FAIL: .*negated_no_violation.txtar:4: crashcheck run found no violation; want one \(the command is negated with !\)$`,
		}},
		{"violation", true, false, failed, []string{
			`^\[stdout\]\nmytool: set name=new\ncrashcheck run: model posix: .*; 1 violation\(s\)\nVIOLATION AtomicReplace\(config.json\) after a crash at point 1 under posix$`,
			`^FAIL: .*violation.txtar:4: crashcheck run found a violation \(exit status 1; the report is above\)$`,
		}},
		{"report_in_log", true, true, passed, []string{
			`^> crashcheck run -file config.json -- mytool set name=new\n\[stdout\]\nmytool: set name=new\ncrashcheck run: model posix: .*; COMMAND exited 0; no violation$`,
			`^PASS$`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			if tt.needFUSE && fuse != nil {
				t.Skipf("crashcheck run cannot mount here: %v", fuse)
			}
			got, log := runScript("testdata/fail/"+tt.script+".txtar", tt.verbose)
			if got != tt.want {
				t.Errorf("script %s, want %s; its log:\n%s", got, tt.want, log)
			}
			for _, re := range tt.log {
				if !regexp.MustCompile("(?m)" + re).MatchString(log) {
					t.Errorf("log does not match %s:\n%s", re, log)
				}
			}
		})
	}
}

// TestScriptSkipped: where [crashcheck] is false (here made so), the
// script skips at its skip line with its message, running nothing.
func TestScriptSkipped(t *testing.T) {
	restore := crashscript.SetCanRun(func() error { return errors.New("no /dev/fuse here") })
	defer restore()
	got, log := runScript("testdata/fail/skipped.txtar", false)
	if got != skipped || !strings.Contains(log, "needs root and /dev/fuse") || strings.Contains(log, "crashcheck run:") {
		t.Errorf("script %s, want skipped at its skip line; its log:\n%s", got, log)
	}
}

func TestCondition(t *testing.T) {
	ok, err := crashscript.Condition("crashcheck")
	if want := cli.CanRun() == nil; ok != want || err != nil {
		t.Errorf("Condition(crashcheck) = %v, %v; want %v, nil (cli.CanRun: %v)", ok, err, want, cli.CanRun())
	}
	for _, cond := range []string{"fuse", "crashcheck:run", ""} {
		if ok, err := crashscript.Condition(cond); ok || err == nil {
			t.Errorf("Condition(%q) = %v, %v; want an error", cond, ok, err)
		}
	}
}

type outcome string

const (
	passed  outcome = "passed"
	failed  outcome = "failed"
	skipped outcome = "skipped"
)

// runScript runs one script with the package's Params, on a scriptT, and
// returns how it ended and its log.
func runScript(file string, verbose bool) (outcome, string) {
	st := &scriptT{verbose: verbose}
	st.run(func() {
		testscript.RunT(st, testscript.Params{
			Files:     []string{file},
			Cmds:      crashscript.Commands(),
			Condition: crashscript.Condition,
		})
	})
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.failed:
		return failed, st.log.String()
	case st.skipped:
		return skipped, st.log.String()
	}
	return passed, st.log.String()
}

// scriptT is a testscript.T that records instead of failing a test: Fatal,
// FailNow and Skip end the goroutine of the (sub)test that calls them, as
// testing.T's do.
type scriptT struct {
	verbose bool
	mu      sync.Mutex
	log     strings.Builder
	failed  bool
	skipped bool
}

var _ testscript.T = (*scriptT)(nil)

// run runs f on a goroutine of its own and waits for it to end, by
// returning or by runtime.Goexit.
func (st *scriptT) run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func (st *scriptT) record(failed, skipped bool, args ...any) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.failed = st.failed || failed
	st.skipped = st.skipped || skipped
	if len(args) > 0 {
		fmt.Fprintln(&st.log, args...)
	}
}

func (st *scriptT) Skip(args ...any)                   { st.record(false, true, args...); runtime.Goexit() }
func (st *scriptT) Fatal(args ...any)                  { st.record(true, false, args...); runtime.Goexit() }
func (st *scriptT) FailNow()                           { st.record(true, false); runtime.Goexit() }
func (st *scriptT) Log(args ...any)                    { st.record(false, false, args...) }
func (st *scriptT) Parallel()                          {}
func (st *scriptT) Verbose() bool                      { return st.verbose }
func (st *scriptT) Run(_ string, f func(testscript.T)) { st.run(func() { f(st) }) }
