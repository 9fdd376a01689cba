package scenarios

import (
	"fmt"

	"github.com/crashcheck/crashcheck/faultfs"
)

// HistoryOptions says how [CheckHistory] judges a recorded run.
type HistoryOptions struct {
	// Name labels the report.
	Name string
	// Models are the persistence models to check under (default:
	// faultfs.DefaultModels).
	Models []faultfs.Model
	// Invariants must hold in the run's end state and after every crash.
	Invariants []Invariant
	// MaxStates bounds the crash states per crash point (default 4096);
	// Seed seeds the sample taken beyond it.
	MaxStates int
	Seed      uint64
	// RunErr is what the recorded run returned: nil when it returned
	// successfully (for a program run black-box: it exited 0), else an
	// error saying how it ended. It decides the end state's Kind
	// (AfterSuccess or AfterError) and Situation.RunErr, so that
	// invariants such as Durable, which judge only crashes after a
	// successful return, apply or not.
	RunErr error
	// Stop, if set, is called before each state is checked; when it
	// returns true, checking stops there and the report says Interrupted.
	// A front end stops this way on a signal.
	Stop func() bool
	// Progress, if set, is called after each crash state is checked with
	// the number of crash states checked so far.
	Progress func(states int)
}

// CheckHistory checks the invariants in every situation of one recorded
// run, without running anything: the state the run left (Kind
// AfterSuccess if RunErr is nil, else AfterError, at Point
// h.Points()-1), then every crash state at every crash point
// 0..h.Points()-1 under every model (Kind AfterCrash; at the last point,
// Returned is set: the crash came after the run had returned). Before and
// After are the history's initial and final states. It is the checking
// half of [Verify], for a history recorded elsewhere (a program run
// through a FUSE mount, say); Verify adds the recording and the error
// runs.
//
// The report lists, for each invariant, model and Kind, one violation:
// the one at the earliest crash point, and among the states at that point
// the one that kept the fewest pending operations (the smallest
// representative). Once an invariant is violated at a point, it is not
// checked at later points of the same run; when every invariant is, the
// enumeration of that model stops. Report.Trace is nil: a history holds
// the operations that change the disk, not every call.
func CheckHistory(h *faultfs.History, opt HistoryOptions) *Report {
	c := newChecker(opt.Name, opt.Models, opt.Invariants, faultfs.EnumOptions{MaxStates: opt.MaxStates, Seed: opt.Seed})
	c.stop, c.progress = opt.Stop, opt.Progress
	c.rep.Ops, c.rep.CrashPoints = h.Ops(), h.Points()
	c.initial, c.final = h.InitialState(), h.FinalState()
	c.checkRun(h, c.final, opt.RunErr, nil, 0)
	c.finish()
	return c.rep
}

// finish sorts the violations and says what could not be tested.
func (c *checker) finish() {
	c.rep.sortViolations()
	if len(c.invariants) == 0 {
		c.rep.Untested = append(c.rep.Untested, "there are no invariants: nothing was checked")
	}
	for i, inv := range c.invariants {
		if !c.seen[i] && !c.rep.Interrupted {
			c.rep.Untested = append(c.rep.Untested, fmt.Sprintf(
				"%s: %s exists in no state (not before Run, not after it, not after any crash or error checked): a typo?",
				inv.Name, inv.Path))
		}
	}
}

// checker checks invariants over the runs of one report, keeping one
// violation of each invariant, model and Kind.
type checker struct {
	invariants     []Invariant
	models         []faultfs.Model
	enum           faultfs.EnumOptions
	rep            *Report
	initial, final *faultfs.CrashState // Before and After of every situation
	fixed          fixedVersions
	found          map[foundKey]found
	run            int // which run is being checked, for found
	acks           ackViews
	seen           []bool // per invariant: its Path exists in some state checked
	stop           func() bool
	progress       func(states int)
}

// foundKey names an invariant (by index) violated in a model and Kind.
type foundKey struct {
	inv   int
	model string
	kind  Kind
}

// found is where the kept violation of a key is: its index in the
// report, and the run and point it was found at.
type found struct {
	violation, run, point int
}

func newChecker(name string, models []faultfs.Model, invs []Invariant, enum faultfs.EnumOptions) *checker {
	if len(models) == 0 {
		models = faultfs.DefaultModels()
	}
	if name == "" {
		name = unnamed
	}
	c := &checker{invariants: invs, models: models, enum: enum,
		rep: &Report{Name: name, Exhaustive: true}, found: map[foundKey]found{}, seen: make([]bool, len(invs))}
	for _, m := range models {
		c.rep.Models = append(c.rep.Models, m.Name())
	}
	return c
}

// checkRun checks one run: its end state end, and its crash states at
// every point from first on, under every model.
func (c *checker) checkRun(h *faultfs.History, end *faultfs.CrashState, runErr error, fault *faultfs.Op, first int) {
	c.run++
	c.acks = ackViews{h: h}
	kind := AfterSuccess
	if runErr != nil {
		kind = AfterError
	}
	last := h.Points() - 1
	if c.stopped() {
		return
	}
	c.check(&Situation{Kind: kind, RunErr: runErr, Fault: fault, State: end, Point: last}, h)
	sit := &Situation{}
	for _, m := range c.models {
		for k := first; k <= last && !c.rep.Interrupted; k++ {
			if c.allFound(m.Name(), k) {
				c.rep.StoppedEarly = true
				break
			}
			settled := false
			st := h.Enumerate(m, k, c.enum, func(s *faultfs.CrashState) bool {
				if c.stopped() {
					return false
				}
				c.rep.States++
				*sit = Situation{Kind: AfterCrash, Model: m.Name(), Point: k, Returned: k == last,
					RunErr: runErr, Fault: fault, State: s, versions: sit.versions[:0]}
				c.check(sit, h)
				if c.progress != nil {
					c.progress(c.rep.States)
				}
				settled = c.allFound(m.Name(), k)
				return !settled
			})
			switch {
			case settled:
				// Every invariant had already failed: the states left
				// at this point were not needed, not sampled away.
				c.rep.StoppedEarly = true
			case !st.Exhaustive:
				c.rep.Exhaustive = false
			}
		}
	}
}

// stopped polls Stop, and records that checking was interrupted.
func (c *checker) stopped() bool {
	if !c.rep.Interrupted && c.stop != nil && c.stop() {
		c.rep.Interrupted = true
	}
	return c.rep.Interrupted
}

// allFound reports whether every invariant is already violated under
// model after a crash at an earlier point of this run or in an earlier
// run, so that looking further is wasted work.
func (c *checker) allFound(model string, point int) bool {
	for i := range c.invariants {
		if !c.settled(foundKey{i, model, AfterCrash}, point) {
			return false
		}
	}
	return true
}

// settled reports whether key's violation is final when a state of this
// run at point is checked: it was found, and not at this very point of
// this run, where a smaller state may still show it.
func (c *checker) settled(key foundKey, point int) bool {
	f, ok := c.found[key]
	return ok && (key.kind != AfterCrash || f.run != c.run || f.point != point)
}

// check runs every invariant whose violation is not settled yet.
func (c *checker) check(s *Situation, h *faultfs.History) {
	s.Initial, s.Final, s.fixed, s.atAck = c.initial, c.final, &c.fixed, &c.acks
	for i, inv := range c.invariants {
		if !c.seen[i] && (inv.Path == "" || s.Before(inv.Path).Exists || s.After(inv.Path).Exists || s.Current(inv.Path).Exists) {
			c.seen[i] = true
		}
		key := foundKey{i, s.Model, s.Kind}
		if c.settled(key, s.Point) {
			continue
		}
		err := inv.Check(s)
		if err == nil {
			continue
		}
		f, ok := c.found[key]
		if !ok {
			c.found[key] = found{violation: len(c.rep.Violations), run: c.run, point: s.Point}
			c.rep.Violations = append(c.rep.Violations, newViolation(inv, s, h, err))
			continue
		}
		if s.State.KeptCount() < c.rep.Violations[f.violation].kept {
			c.rep.Violations[f.violation] = newViolation(inv, s, h, err)
		}
	}
}
