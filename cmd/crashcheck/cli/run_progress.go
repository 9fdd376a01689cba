//go:build linux

package cli

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// runProgress is what crashcheck run says on stderr while it works, with
// torture's progress writer (campaign_progress.go): the phase, and while
// checking the crash states checked, of about how many, how fast and
// about how long is left. The total is an estimate: the checker goes
// through the crash points in order, model after model, so the share of
// (model, point) pairs passed is the share of the work done, if every
// point has as many states as those passed had.
//
// --quiet, or a nil *runProgress, says nothing.
type runProgress struct {
	p        *progress
	checking atomic.Bool
	states   atomic.Int64 // crash states checked
	judged   atomic.Int64 // distinct states the commands ran on
	at       atomic.Int64 // model index * points + point of the last state, +1
	begun    time.Time    // when the run began
	mu       sync.Mutex   // guards pairs and since
	pairs    int64        // models * points, once checking
	since    time.Time    // when checking began
	endOnce  sync.Once
}

// progressIntervalEnv, if set to a duration, replaces the 10 s between
// plain progress lines (and the live line's redraw): for tests.
const progressIntervalEnv = "CRASHCHECK_PROGRESS_INTERVAL"

// startProgress starts saying what r does on its stderr, unless --quiet.
func (r *runner) startProgress() *runProgress {
	if r.cfg.quiet {
		return nil
	}
	rp := &runProgress{begun: time.Now()}
	restore := func() {}
	if d, err := time.ParseDuration(os.Getenv(progressIntervalEnv)); err == nil && d > 0 {
		oldPlain, oldLive := plainInterval, liveInterval
		plainInterval, liveInterval = d, d
		restore = func() { plainInterval, liveInterval = oldPlain, oldLive }
	}
	rp.p = startProgressLine(r.stderr, "crashcheck run", rp.line)
	restore()
	return rp
}

// checkingStarted says the recording is over and checking begins, over
// points crash points under models models.
func (rp *runProgress) checkingStarted(models, points int) {
	if rp == nil {
		return
	}
	rp.mu.Lock()
	rp.pairs, rp.since = int64(models*points), time.Now()
	rp.mu.Unlock()
	rp.checking.Store(true)
}

// checked says states crash states have been checked.
func (rp *runProgress) checked(states int) {
	if rp != nil {
		rp.states.Store(int64(states))
	}
}

// reached says a state of model number model at point of points is being
// checked.
func (rp *runProgress) reached(model, point, points int) {
	if rp != nil {
		rp.at.Store(int64(model*points+point) + 1)
	}
}

// judgedOne says the commands ran on one more distinct state.
func (rp *runProgress) judgedOne() {
	if rp != nil {
		rp.judged.Add(1)
	}
}

// end stops the line (clearing it on a terminal); calling it again is a
// no-op.
func (rp *runProgress) end() {
	if rp != nil {
		rp.endOnce.Do(rp.p.end)
	}
}

// line is the progress now.
func (rp *runProgress) line() string {
	el := time.Since(rp.begun).Round(time.Second)
	if !rp.checking.Load() {
		return fmt.Sprintf("recording: COMMAND running, %v elapsed", el)
	}
	states, judged, at := rp.states.Load(), rp.judged.Load(), rp.at.Load()
	rp.mu.Lock()
	pairs, since := rp.pairs, rp.since
	rp.mu.Unlock()
	secs := time.Since(since).Seconds()
	s := fmt.Sprintf("checking: %d", states)
	var left time.Duration
	if at > 0 && pairs > 0 && states > 0 {
		f := float64(at) / float64(pairs)
		total := max(int64(float64(states)/f), states)
		s += fmt.Sprintf(" of about %d", total)
		left = time.Duration(secs * (1 - f) / f * float64(time.Second)).Round(time.Second)
	}
	s += fmt.Sprintf(" crash states (%s states/s)", rate(int(states), secs))
	if judged > 0 {
		s += fmt.Sprintf(", commands run on %d distinct", judged)
	}
	if left > 0 {
		s += fmt.Sprintf(", about %v left", left)
	}
	return s + fmt.Sprintf(", %v elapsed", el)
}
