//go:build linux

package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios"
)

// check judges the recorded run with the harness's checker: run has no
// checker of its own, so a bug gets the same report here as under
// scenarios.Check. --file and --durable are the built-in invariants, each
// --recover and --check command one invariant of its own (so that two
// failing checks are both reported: the checker keeps one violation per
// invariant, model and Kind). A signal stops the check.
func (r *runner) check(hist *faultfs.History) *scenarios.Report {
	var runErr error
	if !r.commandExitedOK {
		runErr = errors.New(r.commandOutcome())
	}
	r.prog.checkingStarted(len(r.cfg.models), hist.Points())
	srv := &stateServer{r: r, cache: &verdictCache{}, main: &checkMount{ns: r.ns, srvs: r.srvs, acks: r.acksFile(0)}, curAt: -1}
	if r.cfg.jobs > 1 && len(r.cfg.checks)+len(r.cfg.recovers) > 0 {
		r.prejudge(hist, runErr, srv.cache, srv.main)
	}
	return scenarios.CheckHistory(hist, scenarios.HistoryOptions{
		Name:       "crashcheck run",
		Models:     r.cfg.models,
		Invariants: runInvariants(r.cfg, srv),
		MaxStates:  r.cfg.maxStates,
		Seed:       r.cfg.seed,
		RunErr:     runErr,
		Stop: func() bool {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.interrupted != nil
		},
		Progress: func(states int) {
			srv.next(states)
			r.prog.checked(states)
		},
	})
}

// commandOutcome says how COMMAND ended: "COMMAND exited 3", "COMMAND
// timed out after 1m0s; killed with its process group".
func (r *runner) commandOutcome() string {
	if r.commandNote != "" {
		return "COMMAND " + r.commandNote
	}
	return fmt.Sprintf("COMMAND exited %d", r.commandExit)
}

// runInvariants lists what the flags ask to hold: for each --file,
// AtomicReplace and (with --durable) Durable; then each --recover and
// each --check command, in the order given.
func runInvariants(cfg *runConfig, srv *stateServer) []scenarios.Invariant {
	var invs []scenarios.Invariant
	for _, f := range cfg.files {
		invs = append(invs, scenarios.AtomicReplace(f))
		if cfg.durable {
			invs = append(invs, scenarios.Durable(f))
		}
	}
	for i, c := range cfg.recovers {
		invs = append(invs, commandInvariant("Recover", "recover", c, func(s *scenarios.Situation) error {
			if v := srv.verdict(s); v.failedRecover == i {
				return errors.New(v.failure)
			}
			return nil
		}))
	}
	for i, c := range cfg.checks {
		invs = append(invs, commandInvariant("Check", "check", c, func(s *scenarios.Situation) error {
			v := srv.verdict(s)
			if v.failedRecover >= 0 {
				return nil // a --recover failed here: that is the violation
			}
			if v.checks[i] != "" {
				return errors.New(v.checks[i])
			}
			return nil
		}))
	}
	return invs
}

// commandInvariant is the invariant of one --check or --recover command:
// it is judged in crash states only (the state COMMAND left is one of
// those of the last crash point).
func commandInvariant(name, property, cmd string, check func(*scenarios.Situation) error) scenarios.Invariant {
	return scenarios.Invariant{
		Name:     name + "(" + strconv.Quote(cmd) + ")",
		Property: property,
		Check: func(s *scenarios.Situation) error {
			if s.Kind != scenarios.AfterCrash {
				return nil
			}
			return check(s)
		},
	}
}

// stateServer gives the command invariants the verdict of the crash state
// being judged: worked out once per distinct state key (run_jobs_key.go)
// on the main mount, unless the --jobs pass (run_jobs_pool.go) already
// has, and asked for once per state whichever invariants ask.
type stateServer struct {
	r      *runner
	cache  *verdictCache
	main   *checkMount
	states int           // crash states checked so far (HistoryOptions.Progress)
	curAt  int           // the value of states when cur was found, -1 for none
	cur    *stateVerdict // the verdict of the state being judged
}

// next says a crash state has been checked: the next asks anew.
func (sv *stateServer) next(states int) { sv.states = states }

// verdict is the verdict of s's crash state.
func (sv *stateServer) verdict(s *scenarios.Situation) *stateVerdict {
	if sv.cur != nil && sv.curAt == sv.states {
		return sv.cur
	}
	sv.r.prog.reached(modelIndex(sv.r.cfg.models, s.Model), s.Point, sv.r.hist.Points())
	p, mine := sv.cache.claim(keyOf(s, sv.r.cfg.ack != nil))
	if mine {
		p.settle(sv.r.judge(sv.main, s.Recovered().(*faultfs.Mem), s.Point, commandEnv(s)))
	}
	sv.cur, sv.curAt = p.wait(), sv.states
	return sv.cur
}

// commandEnv is what --check and --recover commands learn of the crash.
func commandEnv(s *scenarios.Situation) []string {
	after := "0"
	if s.Returned && s.RunErr == nil {
		after = "1"
	}
	return []string{"CRASHCHECK_AFTER_EXIT=" + after, "CRASHCHECK_CRASH_POINT=" + strconv.Itoa(s.Point), "CRASHCHECK_MODEL=" + s.Model}
}

// commandDetail says how a command failed, with the start of its output:
// sh -c "test -s f" exited 1: ...
func commandDetail(cmd string, exit int, note string, out []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "sh -c %s ", strconv.Quote(cmd))
	if note != "" {
		b.WriteString(note)
	} else {
		fmt.Fprintf(&b, "exited %d", exit)
	}
	if o := strings.TrimSpace(string(out)); o != "" {
		fmt.Fprintf(&b, ": %s", o)
	}
	return b.String()
}

// modelIndex is the index of the model named name in models, 0 if none is.
func modelIndex(models []faultfs.Model, name string) int {
	for i, m := range models {
		if m.Name() == name {
			return i
		}
	}
	return 0
}
