package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios"
	"github.com/crashcheck/crashcheck/scenarios/suite"
	"pgregory.net/rapid"
)

// caseSeed derives the rapid seed of case k of the campaign seeded s. It
// depends on s and k only, so a case replays from (s, k) whatever scenarios
// or shard ran around it. It is never 0, which rapid reads as "random".
func caseSeed(s uint64, k int) uint64 {
	// splitmix64 of s advanced by k+1 steps of the golden gamma.
	z := s + uint64(k+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	if z == 0 {
		z = 1
	}
	return z
}

// caseResult is what one case of a campaign found.
type caseResult struct {
	index    int
	seed     uint64 // the case's rapid seed
	scenario string
	// skipped: the case drew a spec none of whose models the -model
	// filter kept; nothing was checked.
	skipped bool
	// first is the report of the case as drawn; failed, when set, the
	// report of the minimal counterexample rapid shrank it to.
	first  *scenarios.Report
	failed *scenarios.Report
	// brokenSpec is set when the scenario itself failed (Setup or the
	// fault-free Run returned an error) on the minimal input.
	brokenSpec error
	// crashPoints is the drawn case's; states counts every crash state
	// checked, shrinking included; verifies counts the Verify calls.
	crashPoints int
	states      int
	verifies    int
	// cancelled: the campaign stopped while this case ran; its result
	// means nothing.
	cancelled bool
	inputs    []string // rapid's draws of the minimal input, one a line
}

// violated reports whether the case found a violation.
func (r *caseResult) violated() bool { return r.failed != nil || r.brokenSpec != nil }

// failKey names a failure for shrinking: rapid keeps a smaller input only
// when it fails the same way (same invariant, situation and model), so the
// minimal counterexample is one of the original failure, not of another.
func failKey(rep *scenarios.Report) []string {
	var keys []string
	for _, v := range rep.Violations {
		keys = append(keys, v.Invariant+"|"+v.Kind.String()+"|"+v.Model)
	}
	return keys
}

// filterModels keeps the models of spec that the filter allows (a nil
// filter allows all).
func filterModels(spec []faultfs.Model, filter []faultfs.Model) []faultfs.Model {
	if len(spec) == 0 {
		spec = faultfs.Models()
	}
	if filter == nil {
		return spec
	}
	var out []faultfs.Model
	for _, m := range spec {
		if slices.ContainsFunc(filter, func(f faultfs.Model) bool { return f.Name() == m.Name() }) {
			out = append(out, m)
		}
	}
	return out
}

// rapidSeedMu serialises the start of rapid.Check calls. rapid reads its
// seed from the package-global flag -rapid.seed once, at the start of a
// Check, before it first asks the TB whether it has failed; caseTB.Failed
// releases the mutex at that first call, so cases run in parallel while
// each still starts from its own seed.
var rapidSeedMu sync.Mutex

var rapidInit sync.Once

// initRapid sets the rapid flags every case shares: one check per case,
// no fail files (the replay line is the way back to a failure). rapid calls
// testing.Short, which needs testing's flags registered and the command
// line parsed; crashcheck parses its own flags with separate FlagSets.
func initRapid() {
	rapidInit.Do(func() {
		testing.Init()
		if !flag.Parsed() {
			_ = flag.CommandLine.Parse(nil)
		}
		for name, value := range map[string]string{"rapid.checks": "1", "rapid.nofailfile": "true", "rapid.v": "false", "rapid.log": "false"} {
			if err := flag.Set(name, value); err != nil {
				panic("crashcheck: rapid flag " + name + ": " + err.Error())
			}
		}
	})
}

// runCase runs case k of a campaign: one rapid.Check of sc seeded
// caseSeed(seed, k), which shrinks a failure to a minimal counterexample.
// cancel, polled before each Verify, aborts the case when it reports true.
func runCase(sc suite.Scenario, filter []faultfs.Model, seed uint64, k int, cancel func() bool) *caseResult {
	initRapid()
	res := &caseResult{index: k, seed: caseSeed(seed, k), scenario: sc.Name}
	var target []string // the original failure, once seen
	calls := 0
	prop := func(t *rapid.T) {
		if cancel != nil && cancel() {
			res.cancelled = true
			t.SkipNow()
		}
		spec := sc.Spec(t)
		spec.Models = filterModels(spec.Models, filter)
		calls++
		if len(spec.Models) == 0 {
			if calls == 1 {
				res.skipped = true
			}
			return
		}
		rep, err := scenarios.Verify(spec)
		res.verifies++
		if err != nil {
			key := []string{"spec|" + err.Error()}
			if target == nil {
				target = key
			} else if !slices.Equal(target, key) {
				return
			}
			res.brokenSpec, res.failed = err, nil
			t.Fatalf("scenario %s is broken: %v", sc.Name, err)
		}
		res.states += rep.States
		if calls == 1 {
			res.first, res.crashPoints = rep, rep.CrashPoints
		}
		if rep.OK() {
			return
		}
		keys := failKey(rep)
		if target == nil {
			target = keys
		} else if !slices.ContainsFunc(keys, func(k string) bool { return k == target[0] }) {
			return // a smaller input that fails otherwise: not ours
		}
		res.failed, res.brokenSpec = rep, nil
		t.Fatalf("%s: %s", sc.Name, target[0])
	}

	rapidSeedMu.Lock()
	tb := &caseTB{name: "crashcheck-" + strings.ReplaceAll(sc.Name, "/", "-"), release: rapidSeedMu.Unlock}
	defer tb.releaseSeed()
	if err := flag.Set("rapid.seed", strconv.FormatUint(res.seed, 10)); err != nil {
		panic("crashcheck: rapid flag rapid.seed: " + err.Error())
	}
	tb.check(prop)
	if res.violated() {
		res.inputs = tb.draws()
	}
	return res
}

// errFailNow unwinds rapid.Check when it calls FailNow or Fatal on the TB,
// as testing.T would with runtime.Goexit.
var errFailNow = errors.New("crashcheck: FailNow")

// caseTB is the rapid.TB a case runs under: it records failures and logs
// instead of printing them.
type caseTB struct {
	name    string
	release func()
	once    sync.Once

	mu     sync.Mutex
	failed bool
	logs   []string
}

var _ rapid.TB = (*caseTB)(nil)

// check runs rapid.Check(tb, prop), stopping at FailNow.
func (tb *caseTB) check(prop func(*rapid.T)) {
	defer func() {
		if p := recover(); p != nil && p != errFailNow { //nolint:errorlint // the sentinel itself is panicked
			panic(p)
		}
	}()
	rapid.Check(tb, prop)
}

func (tb *caseTB) releaseSeed() { tb.once.Do(tb.release) }

// draws returns the "[rapid] draw" lines rapid logged when it re-ran the
// minimal input, each cut to a readable length.
func (tb *caseTB) draws() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []string
	for _, l := range tb.logs {
		if !strings.HasPrefix(l, "[rapid] draw ") {
			continue
		}
		l = strings.TrimPrefix(l, "[rapid] draw ")
		if len(l) > 100 {
			l = l[:100] + "..."
		}
		out = append(out, l)
	}
	return out
}

func (tb *caseTB) Helper()      {}
func (tb *caseTB) Name() string { return tb.name }

func (tb *caseTB) Logf(format string, args ...any) { tb.log(fmt.Sprintf(format, args...)) }
func (tb *caseTB) Log(args ...any)                 { tb.log(fmt.Sprint(args...)) }

func (tb *caseTB) log(s string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if strings.HasPrefix(s, "[rapid] draw ") && len(s) > 200 {
		s = s[:200] // a drawn megabyte need not be kept whole
	}
	tb.logs = append(tb.logs, s)
}

// Skipf, Skip and SkipNow end the check; rapid calls them on fuzz inputs
// only.
func (tb *caseTB) Skipf(format string, args ...any) { tb.Logf(format, args...); tb.SkipNow() }
func (tb *caseTB) Skip(args ...any)                 { tb.Log(args...); tb.SkipNow() }
func (tb *caseTB) SkipNow()                         { panic(errFailNow) }

func (tb *caseTB) Errorf(format string, args ...any) { tb.Logf(format, args...); tb.Fail() }
func (tb *caseTB) Error(args ...any)                 { tb.Log(args...); tb.Fail() }
func (tb *caseTB) Fatalf(format string, args ...any) { tb.Logf(format, args...); tb.FailNow() }
func (tb *caseTB) Fatal(args ...any)                 { tb.Log(args...); tb.FailNow() }
func (tb *caseTB) FailNow()                          { tb.Fail(); panic(errFailNow) }

func (tb *caseTB) Fail() {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.failed = true
}

// Failed implements rapid.TB. rapid first calls it right after reading
// its seed flag: the next case may set its own from then on.
func (tb *caseTB) Failed() bool {
	tb.releaseSeed()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.failed
}
