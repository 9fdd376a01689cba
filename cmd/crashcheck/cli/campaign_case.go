//go:build linux

package cli

import (
	"flag"
	"slices"
	"strings"
	"sync"

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
		spec = faultfs.DefaultModels()
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

var rapidInit sync.Once

// initRapid sets the rapid flags every case shares: no fail files (the
// replay line is the way back to a failure), no verbose output. The seed
// and the number of checks (one) are set per case by scenarios.RapidCheck.
func initRapid() {
	rapidInit.Do(func() {
		for name, value := range map[string]string{"rapid.nofailfile": "true", "rapid.v": "false", "rapid.log": "false"} {
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

	out := scenarios.RapidCheck(scenarios.RapidOptions{
		Name: "crashcheck-" + strings.ReplaceAll(sc.Name, "/", "-"), Seed: res.seed, Checks: 1,
	}, prop)
	if res.violated() {
		res.inputs = out.Draws()
	}
	return res
}
