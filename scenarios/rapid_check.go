package scenarios

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"
)

// RapidOptions tunes [RapidCheck].
type RapidOptions struct {
	// Name is the name rapid is given for the run (its logs and any fail
	// file it saves are named after it).
	Name string
	// Seed, when not 0, is the seed of the run's first check: the same
	// seed draws the same inputs and shrinks them the same way. 0 leaves
	// -rapid.seed as set (0 there means random).
	Seed uint64
	// Checks, when not 0, is the number of checks of the run; 0 leaves
	// -rapid.checks as set (default 100).
	Checks int
}

// RapidResult is what a [RapidCheck] found.
type RapidResult struct {
	// Failed: the property failed; rapid shrank the failure to a minimal
	// input and ran that input last.
	Failed bool
	// Errors holds what was reported as a failure (Error, Fatal and their
	// f forms), Logs everything logged (rapid's own lines included), in
	// order. A logged draw is cut to 200 bytes: a drawn megabyte need not
	// be kept whole.
	Errors, Logs []string
}

// Draws returns the "[rapid] draw" lines logged, without the prefix and
// each cut to 100 bytes. Without -rapid.v, rapid logs draws only when it
// re-runs the minimal input of a failure: they are then the inputs of the
// counterexample, one a line.
func (r *RapidResult) Draws() []string {
	var out []string
	for _, l := range r.Logs {
		if d, ok := strings.CutPrefix(l, "[rapid] draw "); ok {
			if len(d) > 100 {
				d = d[:100] + "..."
			}
			out = append(out, d)
		}
	}
	return out
}

// RapidCheck runs rapid.Check(prop) outside go test's reporting, for a
// command that runs properties (crashcheck torture) or a test of a
// property that is meant to fail (the zoo's): a failure is recorded in
// the result, not reported, and rapid keeps its shrinking.
//
// rapid's knobs are package-global flags on flag.CommandLine
// (-rapid.seed, -rapid.checks, -rapid.nofailfile, -rapid.shrinktime, ...;
// see rapid's docs). RapidCheck sets -rapid.seed and -rapid.checks from
// opt for its run only, and restores them once rapid has read them;
// calls may run in parallel, since each holds the flags only from its
// start until rapid has read them. The other flags are process-wide: set
// them with flag.Set before the calls (a command disables fail files with
// -rapid.nofailfile, since its replay line is its way back to a failure).
// Outside go test, RapidCheck registers testing's flags and parses an
// empty command line, as rapid needs testing.Short.
func RapidCheck(opt RapidOptions, prop func(*rapid.T)) *RapidResult {
	rapidInit.Do(func() {
		testing.Init()
		if !flag.Parsed() {
			_ = flag.CommandLine.Parse(nil)
		}
	})
	rapidFlagsMu.Lock()
	tb := &recordingTB{name: opt.Name}
	restore := setRapidFlags(opt)
	tb.release = func() { restore(); rapidFlagsMu.Unlock() }
	defer tb.releaseFlags()
	tb.check(prop)
	return &RapidResult{Failed: tb.failed, Errors: tb.errors, Logs: tb.logs}
}

var (
	rapidInit sync.Once
	// rapidFlagsMu is held from the start of a RapidCheck until rapid
	// has read the flags it set.
	rapidFlagsMu sync.Mutex
)

// setRapidFlags sets the per-run flags opt asks for and returns what
// restores them.
func setRapidFlags(opt RapidOptions) (restore func()) {
	var undo []func()
	set := func(name, value string) {
		f := flag.Lookup(name)
		old := f.Value.String()
		if err := f.Value.Set(value); err != nil {
			panic("scenarios: rapid flag -" + name + ": " + err.Error())
		}
		undo = append(undo, func() { _ = f.Value.Set(old) })
	}
	if opt.Seed != 0 {
		set("rapid.seed", strconv.FormatUint(opt.Seed, 10))
	}
	if opt.Checks != 0 {
		set("rapid.checks", strconv.Itoa(opt.Checks))
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}
}

// errFailNow unwinds rapid.Check when it calls FailNow, Fatal or SkipNow
// on the TB, as testing.T would with runtime.Goexit.
var errFailNow = errors.New("scenarios: FailNow")

// recordingTB is the rapid.TB a RapidCheck runs under: it records
// failures and logs instead of printing them.
type recordingTB struct {
	name    string
	release func()
	once    sync.Once

	mu     sync.Mutex
	failed bool
	errors []string
	logs   []string
}

var _ rapid.TB = (*recordingTB)(nil)

// check runs rapid.Check(tb, prop), stopping at FailNow.
func (tb *recordingTB) check(prop func(*rapid.T)) {
	defer func() {
		if p := recover(); p != nil && p != errFailNow { //nolint:errorlint // the sentinel itself is panicked
			panic(p)
		}
	}()
	rapid.Check(tb, prop)
}

func (tb *recordingTB) releaseFlags() { tb.once.Do(tb.release) }

func (tb *recordingTB) Helper()      {}
func (tb *recordingTB) Name() string { return tb.name }

func (tb *recordingTB) Logf(format string, args ...any) { tb.log(fmt.Sprintf(format, args...)) }
func (tb *recordingTB) Log(args ...any)                 { tb.log(fmt.Sprint(args...)) }

func (tb *recordingTB) log(s string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if strings.HasPrefix(s, "[rapid] draw ") && len(s) > 200 {
		s = s[:200]
	}
	tb.logs = append(tb.logs, s)
}

// Skipf, Skip and SkipNow end the check; rapid calls them on fuzz inputs
// only.
func (tb *recordingTB) Skipf(format string, args ...any) { tb.Logf(format, args...); tb.SkipNow() }
func (tb *recordingTB) Skip(args ...any)                 { tb.Log(args...); tb.SkipNow() }
func (tb *recordingTB) SkipNow()                         { panic(errFailNow) }

func (tb *recordingTB) Errorf(format string, args ...any) { tb.error(fmt.Sprintf(format, args...)) }
func (tb *recordingTB) Error(args ...any)                 { tb.error(fmt.Sprintln(args...)) }
func (tb *recordingTB) Fatalf(format string, args ...any) { tb.Errorf(format, args...); tb.FailNow() }
func (tb *recordingTB) Fatal(args ...any)                 { tb.Error(args...); tb.FailNow() }
func (tb *recordingTB) FailNow()                          { tb.Fail(); panic(errFailNow) }

func (tb *recordingTB) error(s string) {
	tb.log(s)
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.failed = true
	tb.errors = append(tb.errors, strings.TrimSuffix(s, "\n"))
}

func (tb *recordingTB) Fail() {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.failed = true
}

// Failed implements rapid.TB. rapid first calls it right after reading
// its flags: the next RapidCheck may set its own from then on.
func (tb *recordingTB) Failed() bool {
	tb.releaseFlags()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.failed
}
