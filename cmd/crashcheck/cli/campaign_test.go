//go:build linux

package cli

import (
	"fmt"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios/suite"
)

func TestCaseSeed(t *testing.T) {
	seen := map[uint64]int{}
	for _, s := range []uint64{0, 1, 42, 1<<64 - 1} {
		for k := range 1000 {
			z := caseSeed(s, k)
			if z == 0 {
				t.Fatalf("caseSeed(%d, %d) = 0: rapid would draw a random seed", s, k)
			}
			if z != caseSeed(s, k) {
				t.Fatalf("caseSeed(%d, %d) is not a function of its arguments", s, k)
			}
			if prev, dup := seen[z]; dup {
				t.Fatalf("caseSeed(%d, %d) = caseSeed of pair #%d", s, k, prev)
			}
			seen[z] = len(seen)
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in        string
		shard, of int
		ok        bool
	}{
		{"0/1", 0, 1, true},
		{"2/3", 2, 3, true},
		{"3/2", 0, 0, false},
		{"3/3", 0, 0, false},
		{"-1/2", 0, 0, false},
		{"0/0", 0, 0, false},
		{"1", 0, 0, false},
		{"a/b", 0, 0, false},
		{"", 0, 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			i, n, err := parseShard(tc.in)
			if (err == nil) != tc.ok || i != tc.shard || n != tc.of {
				t.Errorf("parseShard(%q) = %d, %d, %v; want %d, %d, ok=%v", tc.in, i, n, err, tc.shard, tc.of, tc.ok)
			}
		})
	}
}

func TestFilterModels(t *testing.T) {
	posix, _ := faultfs.ParseModel("posix")
	process, _ := faultfs.ParseModel("process")
	for _, tc := range []struct {
		spec, filter []faultfs.Model
		want         string
	}{
		{nil, nil, "[process posix ext4-ordered]"},
		{nil, []faultfs.Model{posix}, "[posix]"},
		{[]faultfs.Model{process}, []faultfs.Model{posix}, "[]"},
		{[]faultfs.Model{process, posix}, []faultfs.Model{posix}, "[posix]"},
	} {
		var names []string
		for _, m := range filterModels(tc.spec, tc.filter) {
			names = append(names, m.Name())
		}
		if got := fmt.Sprint(names); got != tc.want && !(tc.want == "[]" && len(names) == 0) {
			t.Errorf("filterModels(%v, %v) = %s, want %s", tc.spec, tc.filter, got, tc.want)
		}
	}
}

// campaignSummary runs a campaign and describes each case by what it drew
// and checked.
func campaignSummary(t *testing.T, c *campaign) []string {
	t.Helper()
	res := c.run()
	var out []string
	for _, r := range res.cases {
		s := fmt.Sprintf("case %d %s seed %d skipped=%v violated=%v", r.index, r.scenario, r.seed, r.skipped, r.violated())
		s += fmt.Sprintf(" points=%d states=%d verifies=%d", r.crashPoints, r.states, r.verifies)
		out = append(out, s)
	}
	return out
}

// Parallel workers start each case from its own seed: two workers run the
// very cases one worker does.
func TestCampaignWorkersRunTheSameCases(t *testing.T) {
	process, _ := faultfs.ParseModel("process")
	mk := func(workers int) *campaign {
		return &campaign{scenarios: suite.Select("writer"), filter: []faultfs.Model{process},
			seed: 1234, runs: 8, shards: 1, workers: workers}
	}
	one, two := campaignSummary(t, mk(1)), campaignSummary(t, mk(2))
	if len(one) != 8 {
		t.Fatalf("%d cases, want 8", len(one))
	}
	if fmt.Sprint(one) != fmt.Sprint(two) {
		t.Errorf("one worker:\n%v\ntwo workers:\n%v", one, two)
	}
}

// A failure shrinks to the same minimal counterexample however often it
// is run: the replay line reproduces what torture printed.
func TestRunCaseShrinksDeterministically(t *testing.T) {
	sc := suite.Select("zoo/truncate-in-place")
	if len(sc) != 1 {
		t.Fatal("no zoo/truncate-in-place scenario")
	}
	process, _ := faultfs.ParseModel("process")
	a := runCase(sc[0], []faultfs.Model{process}, 11, 0, nil)
	b := runCase(sc[0], []faultfs.Model{process}, 11, 0, nil)
	if a.failed == nil || b.failed == nil {
		t.Fatalf("truncate-in-place was not caught under process (%v, %v)", a.failed, b.failed)
	}
	if a.failed.String() != b.failed.String() {
		t.Errorf("two runs of one case shrank differently:\n%s\n%s", a.failed, b.failed)
	}
	if a.first == nil || len(a.failed.Ops) > len(a.first.Ops) {
		t.Errorf("the minimal counterexample has more ops than the drawn case")
	}
}

// A case of a campaign over several scenarios replays alone: its seed
// depends on the campaign's seed and its index only.
func TestCaseReplaysOutsideItsCampaign(t *testing.T) {
	process, _ := faultfs.ParseModel("process")
	filter := []faultfs.Model{process}
	zoo := suite.Select("zoo/truncate-in-place")
	c := &campaign{scenarios: append(suite.Select("writer"), zoo...), filter: filter,
		seed: 99, runs: 2, shards: 1, workers: 2, keepGoing: true}
	res := c.run()
	if len(res.cases) != 2 || res.cases[1].scenario != "zoo/truncate-in-place" || res.cases[1].failed == nil {
		t.Fatalf("case 1 should be a caught zoo/truncate-in-place; got %d cases", len(res.cases))
	}
	alone := runCase(zoo[0], filter, 99, 1, nil)
	if alone.failed == nil || alone.failed.String() != res.cases[1].failed.String() {
		t.Errorf("replayed alone, case 1 reports\n%v\nnot\n%s", alone.failed, res.cases[1].failed)
	}
}
