package scenarios

import (
	"errors"
	"fmt"
	"strings"

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
	if spec.Run == nil {
		return nil, fmt.Errorf("scenario %s: no Run: nothing to test", name)
	}
	if len(spec.Invariants) == 0 {
		return nil, fmt.Errorf("scenario %s: no Invariants: nothing would be checked", name)
	}
	c := newChecker(name, spec.Models, spec.Invariants, faultfs.EnumOptions{MaxStates: spec.MaxStates, Seed: spec.Seed})
	set, err := setUp(spec)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: Setup failed: %w", name, err)
	}
	h, inj, err := run(spec, set, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: the fault-free run failed: %w", name, err)
	}
	trace := inj.Trace()
	if len(trace) == 0 {
		return nil, fmt.Errorf("scenario %s: Run made no operation on the filesystem it was given "+
			"(does it use package os directly?): nothing to test", name)
	}
	c.rep.Ops, c.rep.Trace, c.rep.CrashPoints = h.Ops(), trace, h.Points()
	c.initial, c.final = h.InitialState(), h.FinalState()
	c.checkRun(h, c.final, nil, nil, 0)
	for i := range trace {
		for _, f := range faultsAt(spec, trace[i]) {
			fault := faultfs.Fault{When: faultfs.OnIndex(i), Do: f}
			eh, inj, runErr := run(spec, set, &fault, h)
			c.rep.ErrorRuns++
			var firedOp *faultfs.Op
			if fired := inj.Fired(); len(fired) > 0 {
				firedOp = &fired[0]
			}
			// A faulty run is judged when it returns, and after a crash
			// right then: its earlier points are those of the
			// fault-free run.
			c.checkRun(eh, eh.FinalState(), runErr, firedOp, eh.Points()-1)
		}
	}
	c.finish()
	if len(c.rep.Untested) > 0 {
		return nil, fmt.Errorf("scenario %s tests nothing: %s", name, strings.Join(c.rep.Untested, "; "))
	}
	return c.rep, nil
}

// faultsAt lists the faults to inject at op.
func faultsAt(spec Spec, op faultfs.Op) []faultfs.Action {
	var acts []faultfs.Action
	for _, e := range spec.errnos() {
		// An op that fails with e anyway (EXDEV on a cross-device
		// rename the code falls back from) gains nothing from an
		// injected e, and its handling is not a swallowed fault.
		if !errors.Is(op.Err, e) {
			acts = append(acts, faultfs.Errno(e))
		}
	}
	if op.Kind == faultfs.OpWrite && op.Len > 1 && !spec.NoErrors {
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
// set-up state set. Setup runs once per Verify, not once per run: a clone
// shares set's data (faultfs.Mem.Clone), so a run costs what it writes,
// and the crash states of every run share the set-up content, which
// compares without being read. An error re-run is given the fault-free
// run's history ref: the writes it makes as that run did keep that run's
// memory (faultfs.Mem.CloneReusing), so they cost no copy, and the
// invariants comparing the two runs' files find them identical unread.
func run(spec Spec, set *faultfs.Mem, fault *faultfs.Fault, ref *faultfs.History) (*faultfs.History, *faultfs.Injector, error) {
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
	err := spec.Run(inj)
	return m.History(), inj, err
}
