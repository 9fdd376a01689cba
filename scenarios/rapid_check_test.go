package scenarios

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"pgregory.net/rapid"
)

// noFailFiles stops rapid from saving fail files for the properties
// meant to fail here, for the duration of t.
func noFailFiles(t *testing.T) {
	f := flag.Lookup("rapid.nofailfile")
	old := f.Value.String()
	if err := f.Value.Set("true"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Value.Set(old) })
}

// atLeast fails on any drawn n of at least min.
func atLeast(min int) func(*rapid.T) {
	return func(t *rapid.T) {
		if n := rapid.IntRange(0, 1000).Draw(t, "n"); n >= min {
			t.Fatalf("n = %d", n)
		}
	}
}

// TestRapidCheck: a failure is recorded, not reported, and shrunk; a
// pass is a pass; the flags RapidCheck sets are restored.
func TestRapidCheck(t *testing.T) {
	noFailFiles(t)
	seedFlag, checksFlag := flag.Lookup("rapid.seed").Value.String(), flag.Lookup("rapid.checks").Value.String()
	res := RapidCheck(RapidOptions{Name: "atLeast", Seed: 7, Checks: 50}, atLeast(10))
	if !res.Failed || !slices.Equal(res.Draws(), []string{"n: 10"}) {
		t.Errorf("Failed %v, draws %q; want a failure shrunk to n: 10\n%q", res.Failed, res.Draws(), res.Logs)
	}
	if len(res.Errors) == 0 {
		t.Error("a failure recorded no error")
	}
	if res := RapidCheck(RapidOptions{Name: "never", Seed: 7, Checks: 50}, atLeast(2000)); res.Failed {
		t.Errorf("a property that cannot fail failed: %q", res.Errors)
	}
	if s, c := flag.Lookup("rapid.seed").Value.String(), flag.Lookup("rapid.checks").Value.String(); s != seedFlag || c != checksFlag {
		t.Errorf("flags left at seed %s, checks %s; want %s, %s", s, c, seedFlag, checksFlag)
	}
}

// TestRapidCheckSeeds: runs started in parallel each draw from their own
// seed, as the same seed run alone does.
func TestRapidCheckSeeds(t *testing.T) {
	noFailFiles(t)
	first := func(seed uint64) string {
		var n int
		RapidCheck(RapidOptions{Name: "first", Seed: seed, Checks: 1}, func(t *rapid.T) {
			n = rapid.IntRange(0, 1<<30).Draw(t, "n")
		})
		return fmt.Sprint(n)
	}
	want := map[uint64]string{}
	for seed := uint64(1); seed <= 8; seed++ {
		want[seed] = first(seed)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[uint64]string{}
	for seed := uint64(1); seed <= 8; seed++ {
		wg.Go(func() {
			v := first(seed)
			mu.Lock()
			got[seed] = v
			mu.Unlock()
		})
	}
	wg.Wait()
	for seed, w := range want {
		if got[seed] != w {
			t.Errorf("seed %d: drew %s in parallel, %s alone", seed, got[seed], w)
		}
	}
	if len(slices.Compact(slices.Sorted(func(yield func(string) bool) {
		for _, v := range want {
			if !yield(v) {
				return
			}
		}
	}))) < 2 {
		t.Errorf("eight seeds drew the same first value: %v", want)
	}
}

// TestCheckTReportOnce: a failed CheckT prints its report once (logged in
// the replay of the minimal input) and fails with its summary line, so
// that rapid, which prints a failure's message twice, does not print the
// report twice; the draw shows as a size and first bytes.
func TestCheckTReportOnce(t *testing.T) {
	noFailFiles(t)
	res := RapidCheck(RapidOptions{Name: "in-place", Seed: 3, Checks: 20}, func(rt *rapid.T) {
		data := Content(100, 'N').Draw(rt, "data")
		CheckT(rt, Spec{
			Setup:      func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "f", []byte("old"), 0o644) },
			Run:        func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "f", data, 0o644) },
			Invariants: []Invariant{AtomicReplace("f")},
			Models:     []faultfs.Model{faultfs.Process},
			NoErrors:   true,
		})
	})
	all := strings.Join(res.Logs, "\n")
	if n := strings.Count(all, "VIOLATION AtomicReplace(f)"); !res.Failed || n != 1 {
		t.Errorf("failed %v, report printed %d times, want once:\n%s", res.Failed, n, all)
	}
	if !slices.Contains(res.Draws(), `data: 1 byte "N"`) {
		t.Errorf("draws %q, want the shrunk content as its size and bytes", res.Draws())
	}
}
