package scenarios

import (
	"errors"
	"fmt"

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
// It returns a Report; an error only when the spec itself is broken (Setup
// or the fault-free Run failed).
func Verify(spec Spec) (*Report, error) {
	v := &verifier{spec: spec, rep: &Report{Name: spec.Name, Exhaustive: true}, seen: map[seenKey]bool{}}
	for _, m := range spec.models() {
		v.rep.Models = append(v.rep.Models, m.Name())
	}
	h, trace, err := v.record(nil)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: the fault-free run failed: %w", spec.Name, err)
	}
	v.rep.Ops, v.rep.Trace = h.Ops(), trace
	v.initial, v.final = h.InitialState(), h.FinalState()
	v.rep.CrashPoints = h.Points()
	v.checkRun(h, v.final, nil, nil, true)
	for i := range trace {
		for _, f := range v.faultsAt(trace[i]) {
			fault := faultfs.Fault{When: faultfs.OnIndex(i), Do: f}
			eh, inj, runErr := v.run(&fault)
			if eh == nil {
				return nil, fmt.Errorf("scenario %s: Setup failed: %w", spec.Name, runErr)
			}
			v.rep.ErrorRuns++
			fired := inj.Fired()
			var firedOp *faultfs.Op
			if len(fired) > 0 {
				firedOp = &fired[0]
			}
			v.checkRun(eh, eh.FinalState(), runErr, firedOp, false)
		}
	}
	v.rep.sortViolations()
	return v.rep, nil
}

type verifier struct {
	spec           Spec
	rep            *Report
	initial, final *faultfs.CrashState
	seen           map[seenKey]bool // invariants already violated, by model and situation
	fixed          fixedVersions
}

// seenKey names an invariant (by index) violated in a model and situation:
// the first violation of each is reported, later ones are not looked for.
type seenKey struct {
	inv   int
	model string
	kind  Kind
}

// faultsAt lists the faults to inject at op.
func (v *verifier) faultsAt(op faultfs.Op) []faultfs.Action {
	var acts []faultfs.Action
	for _, e := range v.spec.errnos() {
		// An op that fails with e anyway (EXDEV on a cross-device
		// rename the code falls back from) gains nothing from an
		// injected e, and its handling is not a swallowed fault.
		if !errors.Is(op.Err, e) {
			acts = append(acts, faultfs.Errno(e))
		}
	}
	if op.Kind == faultfs.OpWrite && op.Len > 1 && !v.spec.NoErrors {
		acts = append(acts, faultfs.ShortWrite())
	}
	return acts
}

// record does one fault-free run.
func (v *verifier) record(fault *faultfs.Fault) (*faultfs.History, []faultfs.Op, error) {
	h, inj, err := v.run(fault)
	if h == nil || err != nil {
		return nil, nil, err
	}
	return h, inj.Trace(), nil
}

// run sets up a fresh Mem and runs the workload once, with fault if given.
// A nil History means Setup failed.
func (v *verifier) run(fault *faultfs.Fault) (*faultfs.History, *faultfs.Injector, error) {
	m := faultfs.NewMem()
	if v.spec.Setup != nil {
		if err := v.spec.Setup(m); err != nil {
			return nil, nil, err
		}
	}
	m.MakeDurable()
	var inj *faultfs.Injector
	if fault != nil {
		inj = faultfs.NewInjector(m, *fault)
	} else {
		inj = faultfs.NewInjector(m)
	}
	err := v.spec.Run(inj)
	return m.History(), inj, err
}

// checkRun checks one run: its end state end, and its crash states (every
// point for the fault-free run, the end for a faulty one).
func (v *verifier) checkRun(h *faultfs.History, end *faultfs.CrashState, runErr error, fault *faultfs.Op, allPoints bool) {
	kind := AfterSuccess
	if runErr != nil {
		kind = AfterError
	}
	v.check(&Situation{Kind: kind, RunErr: runErr, Fault: fault, State: end, Point: h.Points() - 1}, h)
	first := h.Points() - 1
	if allPoints {
		first = 0
	}
	sit := &Situation{}
	for _, m := range v.spec.models() {
		for k := first; k < h.Points() && !v.allSeen(m.Name(), AfterCrash); k++ {
			st := h.Enumerate(m, k, faultfs.EnumOptions{MaxStates: v.spec.MaxStates, Seed: v.spec.Seed},
				func(s *faultfs.CrashState) bool {
					v.rep.States++
					*sit = Situation{Kind: AfterCrash, Model: m.Name(), Point: k, Returned: k == h.Points()-1,
						RunErr: runErr, Fault: fault, State: s, versions: sit.versions[:0]}
					v.check(sit, h)
					return !v.allSeen(m.Name(), AfterCrash)
				})
			if !st.Exhaustive {
				v.rep.Exhaustive = false
			}
		}
	}
}

// allSeen reports whether every invariant is already violated in this
// model and situation, so that looking further is wasted work.
func (v *verifier) allSeen(model string, kind Kind) bool {
	for i := range v.spec.Invariants {
		if !v.seen[seenKey{i, model, kind}] {
			return false
		}
	}
	return true
}

// check runs every invariant not yet violated in this model and situation.
func (v *verifier) check(s *Situation, h *faultfs.History) {
	s.Initial, s.Final, s.fixed = v.initial, v.final, &v.fixed
	for i, inv := range v.spec.Invariants {
		key := seenKey{i, s.Model, s.Kind}
		if v.seen[key] {
			continue
		}
		err := inv.Check(s)
		if err == nil {
			continue
		}
		v.seen[key] = true
		v.rep.Violations = append(v.rep.Violations, newViolation(inv.Name, s, h, err))
	}
}
