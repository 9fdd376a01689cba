//go:build linux

package cli

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios/suite"
)

// campaign is a torture run: numbered cases, case k drawing its inputs
// from caseSeed(seed, k) and running scenario k mod len(scenarios) (in the
// sorted order of -list), so one seed names one sequence of cases whatever
// the shard.
type campaign struct {
	scenarios []suite.Scenario
	filter    []faultfs.Model // nil: every model
	seed      uint64
	runs      int       // cases to run (indices 0..runs-1); 0: until deadline
	deadline  time.Time // used when runs is 0
	shard     int       // run only indices ≡ shard mod shards
	shards    int
	keepGoing bool
	workers   int
	// onCase, if set, is called (from one goroutine at a time) with each
	// finished case and what it drew, in no particular order.
	onCase func(*caseResult, *drawnCase)

	// live counters, for progress lines.
	cases, states, violations atomic.Int64
	// interrupted is set by interrupt: no case starts any more, and those
	// running are cancelled.
	interrupted atomic.Bool
}

// interrupt stops the campaign early (on a signal): the cases finished
// are kept, those running are cancelled and dropped. It may be called
// from any goroutine.
func (c *campaign) interrupt() { c.interrupted.Store(true) }

// campaignResult is what a campaign did.
type campaignResult struct {
	cases       []*caseResult // every finished case, by index
	drawn       map[int]*drawnCase
	interrupted bool // stopped by interrupt before its end
	crashPoints int
	states      int
	skipped     int
	elapsed     time.Duration
}

// failures returns the cases that found a violation, by index.
func (r *campaignResult) failures() []*caseResult {
	var out []*caseResult
	for _, c := range r.cases {
		if c.violated() {
			out = append(out, c)
		}
	}
	return out
}

// run runs the campaign. Cases are handed out in index order to workers;
// without keepGoing, the first violation stops the hand-out, cases with a
// higher index still running are cancelled, and those with a lower one
// finish: the violation reported is the one of the lowest failing index,
// the same a one-worker run would find.
func (c *campaign) run() *campaignResult {
	started := time.Now()
	workers := max(c.workers, 1)
	var (
		mu      sync.Mutex
		results []*caseResult
		drawn   = map[int]*drawnCase{}
		next    = c.shard
		stopAt  atomic.Int64 // lowest failing index + 1; 0: none yet
		wg      sync.WaitGroup
	)
	stopAt.Store(0)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if s := stopAt.Load(); s != 0 && !c.keepGoing || c.interrupted.Load() {
			return 0, false
		}
		if c.runs > 0 && next >= c.runs || c.runs == 0 && !time.Now().Before(c.deadline) {
			return 0, false
		}
		k := next
		next += c.shards
		return k, true
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k, ok := take()
				if !ok {
					return
				}
				sc, d := observeScenario(c.scenarios[k%len(c.scenarios)], c.filter)
				cancel := func() bool {
					s := stopAt.Load()
					return !c.keepGoing && s != 0 && int64(k) >= s || c.interrupted.Load()
				}
				res := runCase(sc, c.filter, c.seed, k, cancel)
				if res.cancelled {
					continue
				}
				if !res.violated() {
					res.first = nil // a long campaign keeps only what it reports
				}
				c.cases.Add(1)
				c.states.Add(int64(res.states))
				mu.Lock()
				if res.violated() {
					c.violations.Add(1)
					for s := stopAt.Load(); s == 0 || int64(k)+1 < s; s = stopAt.Load() {
						if stopAt.CompareAndSwap(s, int64(k)+1) {
							break
						}
					}
				}
				results = append(results, res)
				drawn[k] = d
				if c.onCase != nil {
					c.onCase(res, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	slices.SortFunc(results, func(a, b *caseResult) int { return a.index - b.index })
	if s := stopAt.Load(); s != 0 && !c.keepGoing {
		// Keep the cases up to the first failure: later ones raced it.
		results = slices.DeleteFunc(results, func(r *caseResult) bool { return int64(r.index) >= s })
	}
	out := &campaignResult{cases: results, drawn: drawn, interrupted: c.interrupted.Load(), elapsed: time.Since(started)}
	for _, r := range results {
		out.states += r.states
		if r.skipped {
			out.skipped++
		}
		out.crashPoints += r.crashPoints
	}
	return out
}
