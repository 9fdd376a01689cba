//go:build linux

package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/blockdev"
	"github.com/crashcheck/crashcheck/scenarios"
)

// The kernel's crash states are judged by the harness's own invariants:
// what each recorded state held at the -file targets becomes a
// faultfs.CrashState (a Mem holding just those files), so that
// scenarios.AtomicReplace and scenarios.Durable compare the same
// scenarios.Versions with the same rules and wording as in an in-memory
// run, and the -check commands are the same command invariants. Only
// what a block-level crash adds is kernel-specific: a state the kernel
// cannot mount (Mountable), one its checker flags (Consistent), and a
// target that exists but cannot be read (Readable).

// kernelCheck is the judging of one run -fs: the invariants, and for
// each the smallest state that broke it.
type kernelCheck struct {
	k              *kernelRun
	invs           []scenarios.Invariant
	initial, final *faultfs.CrashState
	runErr         error
	out            *blockdev.Outcome // the state being judged, for the kernel's own invariants
	found          map[int]*kernelFound
	order          []int  // invariant indexes in the order first violated
	seen           []bool // per invariant: its Path exists in some state
	states         int
}

// kernelFound is the violation kept for one invariant: the one in the
// state that kept the fewest writes, and how many states broke it.
type kernelFound struct {
	v     scenarios.Violation
	st    blockdev.State
	kept  int
	count int
}

// The invariants only a kernel state has, first in kernelCheck.invs.
const (
	invMountable = iota
	invConsistent
	kernelInvariants
)

func newKernelCheck(k *kernelRun) (*kernelCheck, error) {
	c := &kernelCheck{k: k, found: map[int]*kernelFound{}}
	var err error
	if c.initial, err = crashStateOf(k.before); err != nil {
		return nil, fmt.Errorf("the -file targets before COMMAND: %w", err)
	}
	if c.final, err = crashStateOf(k.after); err != nil {
		return nil, fmt.Errorf("the -file targets after COMMAND: %w", err)
	}
	if !k.exitedOK() {
		c.runErr = errors.New("COMMAND " + k.outcome())
	}
	c.invs = []scenarios.Invariant{
		invMountable: {Name: "Mountable", Property: "mountable", Check: func(*scenarios.Situation) error {
			if c.out.MountErr != "" {
				return errors.New("the kernel could not mount the state: " + c.out.MountErr)
			}
			return nil
		}},
		invConsistent: {Name: "Consistent", Property: "consistent", Check: func(*scenarios.Situation) error {
			if c.out.Fsck != "" {
				return errors.New("the filesystem's checker flags the state after recovery: " + c.out.Fsck)
			}
			return nil
		}},
	}
	for _, f := range k.cfg.files {
		c.invs = append(c.invs, scenarios.AtomicReplace(f))
		if k.cfg.durable {
			c.invs = append(c.invs, scenarios.Durable(f))
		}
	}
	for i, cmd := range k.cfg.checks {
		c.invs = append(c.invs, commandInvariant("Check", "check", cmd, func(*scenarios.Situation) error {
			if d, ok := checkFailures(c.out.Inspected)[i]; ok {
				return errors.New(d)
			}
			return nil
		}))
	}
	c.seen = make([]bool, len(c.invs))
	for i, inv := range c.invs {
		c.seen[i] = inv.Path == "" || present(k.before, inv.Path) || present(k.after, inv.Path)
	}
	return c, nil
}

// judge checks every invariant in one state.
func (c *kernelCheck) judge(o blockdev.Outcome) error {
	c.states++
	c.out = &o
	st := o.State
	if o.MountErr != "" {
		// Nothing to read in a state that does not mount.
		c.verdict(invMountable, nil, st)
		return nil
	}
	cs, err := crashStateOf(o.Files)
	if err != nil {
		return fmt.Errorf("state %s: %w", st.Name(), err)
	}
	s := &scenarios.Situation{Kind: scenarios.AfterCrash, Model: c.k.model(), Point: st.Prefix,
		Returned: st.AfterExit, RunErr: c.runErr, State: cs, Initial: c.initial, Final: c.final}
	for i, inv := range c.invs {
		if inv.Path != "" {
			if present(o.Files, inv.Path) {
				c.seen[i] = true
			}
			if f := target(o.Files, inv.Path); f.ReadErr != "" {
				c.unreadable(inv, f, st)
				continue
			}
		}
		c.verdict(i, s, st)
	}
	return nil
}

// verdict runs invariant i in s (nil for the kernel's own invariants,
// which read c.out) and keeps its violation if st is the smallest state
// to break it yet.
func (c *kernelCheck) verdict(i int, s *scenarios.Situation, st blockdev.State) {
	if s == nil {
		s = &scenarios.Situation{Kind: scenarios.AfterCrash, Model: c.k.model(), Point: st.Prefix, Returned: st.AfterExit, RunErr: c.runErr}
	}
	inv := c.invs[i]
	if err := inv.Check(s); err != nil {
		c.keep(i, inv, err.Error(), st)
	}
}

// unreadable is a target that exists in the state but cannot be read:
// neither its old nor its new content, so the invariant about it fails.
func (c *kernelCheck) unreadable(inv scenarios.Invariant, f blockdev.FileOutcome, st blockdev.State) {
	i := slices.IndexFunc(c.invs, func(x scenarios.Invariant) bool { return x.Name == inv.Name })
	c.keep(i, inv, fmt.Sprintf("%s is unreadable (%s) after the crash", f.Path, f.ReadErr), st)
}

func (c *kernelCheck) keep(i int, inv scenarios.Invariant, detail string, st blockdev.State) {
	kf := c.found[i]
	if kf == nil {
		kf = &kernelFound{kept: -1}
		c.found[i] = kf
		c.order = append(c.order, i)
	}
	kf.count++
	if kept := len(st.Kept()); kf.kept < 0 || kept < kf.kept {
		kf.kept, kf.st = kept, st
		kf.v = scenarios.Violation{Invariant: inv.Name, Property: inv.Property, Path: inv.Path, Kind: scenarios.AfterCrash,
			Model: c.k.model(), Point: st.Prefix, State: st.Name(), Detail: detail}
	}
}

// report is the harness's Report of what was judged: one violation per
// invariant (the model and Kind are the same for all), in the state with
// the fewest writes, earliest first; NOT TESTED for a -file that exists
// in no state.
func (c *kernelCheck) report(exhaustive bool) *scenarios.Report {
	rep := &scenarios.Report{Name: "crashcheck run -fs " + c.k.fsys.Name, Models: []string{c.k.model()},
		CrashPoints: len(c.k.log.Entries) + 1, States: c.states, Exhaustive: exhaustive}
	idx := slices.Clone(c.order)
	slices.SortStableFunc(idx, func(a, b int) int {
		fa, fb := c.found[a], c.found[b]
		if fa.st.Prefix != fb.st.Prefix {
			return fa.st.Prefix - fb.st.Prefix
		}
		return fa.kept - fb.kept
	})
	for _, i := range idx {
		kf := c.found[i]
		kf.v.Timeline = c.k.timeline(kf.st)
		kf.v.Timeline[len(kf.v.Timeline)-1] = fmt.Sprintf("--- crash (%d of %d states break it; this one keeps the fewest writes)", kf.count, c.states)
		rep.Violations = append(rep.Violations, kf.v)
	}
	for i, inv := range c.invs {
		if !c.seen[i] {
			rep.Untested = append(rep.Untested, fmt.Sprintf(
				"%s: %s exists in no state (not before COMMAND, not after it, not after any crash checked): a typo?",
				inv.Name, inv.Path))
		}
	}
	return rep
}

// check enumerates the recorded states, judges each, and reports.
func (k *kernelRun) check() int {
	c, err := newKernelCheck(k)
	if err != nil {
		fmt.Fprintf(k.stderr, "crashcheck run: %v\n", err)
		return 2
	}
	en := blockdev.Enumerate(k.log, blockdev.EnumOptions{MaxPerWindow: k.cfg.kernel.perWindow, Seed: k.cfg.seed})
	start := time.Now()
	var judgeErr error
	err = blockdev.Check(k.log, en.States, blockdev.CheckOptions{Targets: k.cfg.files, Fsck: true, Inspect: k.inspector()}, func(o blockdev.Outcome) {
		if judgeErr == nil {
			judgeErr = c.judge(o)
		}
	})
	elapsed := time.Since(start)
	if err == nil {
		err = judgeErr
	}
	if err != nil {
		fmt.Fprintf(k.stderr, "crashcheck run: checking states: %v (nothing is left mounted or attached)\n", err)
		return 2
	}
	rep := c.report(en.Exhaustive)
	summary := fmt.Sprintf("crashcheck run: model %s (%s): %d block writes, %d flushes, %d unflushed windows, %d states (%s), %.0f states/s; COMMAND %s; %s",
		k.model(), k.mountDesc(), k.log.Writes(), len(k.log.Entries)-k.log.Writes(), en.Windows, rep.States, rep.Coverage(),
		float64(rep.States)/elapsed.Seconds(), k.outcome(), runVerdict(rep))
	extra := jsonReport{Model: k.model(), CommandExit: k.exit}
	return printRunReport(k.stdout, k.stderr, rep, k.cfg.jsonPath, summary, extra, func(j *jsonReport) { j.Ops = k.log.Writes() })
}

// crashStateOf is a crash state holding files (those present, with
// their content and mode) and the directories above them.
func crashStateOf(files []blockdev.FileOutcome) (*faultfs.CrashState, error) {
	m := faultfs.NewMem(faultfs.WithUmask(0))
	for _, f := range files {
		if !f.Present || f.ReadErr != "" {
			continue
		}
		dir := path.Dir(f.Path)
		var parents []string
		for d := dir; d != "." && d != "/"; d = path.Dir(d) {
			parents = append(parents, d)
		}
		for _, d := range slices.Backward(parents) {
			if err := m.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return nil, err
			}
		}
		if err := faultfs.WriteFile(m, f.Path, f.Data, f.Mode); err != nil {
			return nil, err
		}
	}
	m.MakeDurable()
	return m.History().InitialState(), nil
}

func target(files []blockdev.FileOutcome, p string) blockdev.FileOutcome {
	for _, f := range files {
		if f.Path == p {
			return f
		}
	}
	return blockdev.FileOutcome{Path: p}
}

func present(files []blockdev.FileOutcome, p string) bool { return target(files, p).Present }
