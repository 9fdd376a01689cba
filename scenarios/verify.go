package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// Verify runs spec and checks its invariants in every situation:
//
//  1. Setup on a fresh faultfs.Mem, made durable; Run once through a
//     faultfs.Injector, recording the log and the trace. Run must succeed.
//  2. Every crash point of that run, under every model: every crash state
//     (exhaustive up to MaxStates per point, then a seeded sample).
//  3. For every operation of the trace and every errno (and a short write
//     at every write): a re-run with that fault injected, checked when Run
//     returns, and after a crash at that moment under every model.
//
// Step 2 is [CheckHistory] of the fault-free run's history; the report
// keeps one violation per invariant, model and Kind, by the rule
// CheckHistory documents. It returns a Report; an error only when the
// spec itself is broken (Setup or the fault-free Run failed).
func Verify(spec Spec) (*Report, error) {
	name := spec.name()
	if err := checkable(name, spec.Run != nil, spec.Invariants); err != nil {
		return nil, err
	}
	set, err := setUp(spec)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: Setup failed: %w", name, err)
	}
	c := newChecker(name, spec.Models, spec.Invariants, faultfs.EnumOptions{MaxStates: spec.MaxStates, Seed: spec.Seed})
	_, err = c.verifyRuns(runs{
		name: name, set: set, do: spec.Run, errnos: spec.errnos(), shortWrites: !spec.NoErrors,
		trigger: func([]faultfs.Op) func(int) (faultfs.Trigger, bool) {
			return func(i int) (faultfs.Trigger, bool) { return faultfs.OnIndex(i), true }
		},
		noOps: "Run made no operation on the filesystem it was given (does it use package os directly?)",
	})
	if err != nil {
		return nil, err
	}
	return c.rep, nil
}

// checkable says why a spec named name cannot be checked, if it cannot.
func checkable(name string, hasRun bool, invs []Invariant) error {
	if !hasRun {
		return fmt.Errorf("scenario %s: no Run: nothing to test", name)
	}
	if len(invs) == 0 {
		return fmt.Errorf("scenario %s: no Invariants: nothing would be checked", name)
	}
	return nil
}

// runs is code under test as the checker runs it: once fault-free from
// set, then once per fault.
type runs struct {
	name   string
	set    *faultfs.Mem                // the set-up state, durable
	do     func(fsys faultfs.FS) error // the workload, on an Injector over a clone of set
	errnos []syscall.Errno             // injected at the ops trigger picks
	// shortWrites: a short write is injected at each write trigger
	// picks, too.
	shortWrites bool
	// trigger, given the fault-free run's trace, says how to fire a fault
	// at its op i in a re-run, or that no fault is injected there.
	trigger func(trace []faultfs.Op) func(i int) (faultfs.Trigger, bool)
	noOps   string // what a fault-free run without a single op means
}

// verifyRuns records the fault-free run and checks it, then the error
// runs, into c's report. The error says why the runs test nothing (the
// fault-free run failed or made no op, or the report's Untested); the
// faults returned are those that never fired in their re-run.
func (c *checker) verifyRuns(w runs) (unfired []unfiredFault, err error) {
	h, inj, err := run(w.set, nil, nil, w.do)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: the fault-free run failed: %w", w.name, err)
	}
	trace := inj.Trace()
	if len(trace) == 0 {
		return nil, fmt.Errorf("scenario %s: %s: nothing to test", w.name, w.noOps)
	}
	c.rep.Ops, c.rep.Trace, c.rep.CrashPoints = h.Ops(), trace, h.Points()
	c.initial, c.final = h.InitialState(), h.FinalState()
	c.checkRun(h, c.final, nil, nil, 0)
	unfired = c.checkErrorRuns(w, trace, h)
	c.finish()
	if len(c.rep.Untested) > 0 {
		return unfired, fmt.Errorf("scenario %s tests nothing: %s", w.name, strings.Join(c.rep.Untested, "; "))
	}
	return unfired, nil
}

// checkErrorRuns re-runs w once per fault: at each op of the fault-free
// run's trace that w's trigger picks (and as it picks it), each errno of
// w, and a short write at a write of more than one byte if w asks for
// them. The fault-free run's history is h. Each run is judged when it
// returns, and after a crash right then: its earlier points are those of
// the fault-free run. It returns the faults that never fired.
func (c *checker) checkErrorRuns(w runs, trace []faultfs.Op, h *faultfs.History) (unfired []unfiredFault) {
	trigger := w.trigger(trace)
	for i := range trace {
		when, ok := trigger(i)
		if !ok {
			continue
		}
		for _, f := range faultsAt(w.errnos, w.shortWrites, trace[i]) {
			fault := faultfs.Fault{When: when, Do: f}
			eh, inj, runErr := run(w.set, &fault, h, w.do)
			c.rep.ErrorRuns++
			var firedOp *faultfs.Op
			if fired := inj.Fired(); len(fired) > 0 {
				firedOp = &fired[0]
			} else {
				unfired = append(unfired, unfiredFault{trace[i], f})
			}
			c.checkRun(eh, eh.FinalState(), runErr, firedOp, eh.Points()-1)
		}
	}
	return unfired
}

// unfiredFault is a fault meant for op of the fault-free run that did
// not fire in its re-run: the workload did not do the same again.
type unfiredFault struct {
	op faultfs.Op
	do faultfs.Action
}

func (u unfiredFault) String() string {
	return fmt.Sprintf("%s meant for call %s never fired in its re-run", u.do, u.op)
}

// faultsAt lists the faults to inject at op.
func faultsAt(errnos []syscall.Errno, shortWrites bool, op faultfs.Op) []faultfs.Action {
	var acts []faultfs.Action
	for _, e := range errnos {
		// An op that fails with e anyway (EXDEV on a cross-device
		// rename the code falls back from) gains nothing from an
		// injected e, and its handling is not a swallowed fault.
		if !errors.Is(op.Err, e) {
			acts = append(acts, faultfs.Errno(e))
		}
	}
	if shortWrites && op.Kind == faultfs.OpWrite && op.Len > 1 {
		acts = append(acts, faultfs.ShortWrite())
	}
	return acts
}

// setUp runs Setup on a fresh Mem and makes it durable: the state every
// run of the workload starts from.
func setUp(spec Spec) (*faultfs.Mem, error) {
	m := faultfs.NewMem()
	if spec.Setup != nil {
		if err := spec.Setup(m); err != nil {
			return nil, err
		}
	}
	m.MakeDurable()
	return m, nil
}

// run runs the workload once, with fault if given, on a clone of the
// set-up state set: do is given an Injector over the clone. Setup runs
// once per Verify, not once per run: a clone shares set's data
// (faultfs.Mem.Clone), so a run costs what it writes, and the crash
// states of every run share the set-up content, which compares without
// being read. An error re-run is given the fault-free run's history ref:
// the writes it makes as that run did keep that run's memory
// (faultfs.Mem.CloneReusing), so they cost no copy, and the invariants
// comparing the two runs' files find them identical unread.
func run(set *faultfs.Mem, fault *faultfs.Fault, ref *faultfs.History, do func(fsys faultfs.FS) error) (*faultfs.History, *faultfs.Injector, error) {
	m := set.Clone()
	if ref != nil {
		m = set.CloneReusing(ref)
	}
	var inj *faultfs.Injector
	if fault != nil {
		inj = faultfs.NewInjector(m, *fault)
	} else {
		inj = faultfs.NewInjector(m)
	}
	err := do(inj)
	return m.History(), inj, err
}
