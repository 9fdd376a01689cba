//go:build linux

package main

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
	return scenarios.CheckHistory(hist, scenarios.HistoryOptions{
		Name:       "crashcheck run",
		Models:     r.cfg.models,
		Invariants: runInvariants(r.cfg, &stateServer{r: r}),
		MaxStates:  r.cfg.maxStates,
		Seed:       r.cfg.seed,
		RunErr:     runErr,
		Stop: func() bool {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.interrupted != nil
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
	srv.recovers = cfg.recovers
	for i, c := range cfg.recovers {
		invs = append(invs, commandInvariant("Recover", "recover", c, func(s *scenarios.Situation) error {
			if srv.prepare(s) == i {
				return errors.New(srv.failure)
			}
			return nil
		}))
	}
	for _, c := range cfg.checks {
		invs = append(invs, commandInvariant("Check", "check", c, func(s *scenarios.Situation) error {
			if srv.prepare(s) >= 0 {
				return nil // a --recover failed here: that is the violation
			}
			if exit, note, out := srv.r.shell(c, srv.env); exit != 0 || note != "" {
				return errors.New(commandDetail(c, exit, note, out))
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

// stateServer serves the crash state being judged at the mount for the
// command invariants: the --recover commands run once per state, on a
// writable copy, then the --check commands see the result read-only.
type stateServer struct {
	r        *runner
	recovers []string
	served   faultfs.FS // the state being served: its Situation's Recovered()
	failed   int        // which --recover failed in it, -1 if none
	failure  string     // how it failed
	env      []string   // what its commands learn of it (commandEnv, CRASHCHECK_ACKS)
}

// prepare serves s's state at the mount (running the --recover commands
// on it the first time it is asked for that state) and returns the index
// of the --recover command that failed there, or -1.
//
// A state is known by its Situation's Recovered filesystem, which the
// checker makes afresh for each state; holding on to it keeps a later one
// from being allocated at the same address.
func (sv *stateServer) prepare(s *scenarios.Situation) int {
	state := s.Recovered().(*faultfs.Mem)
	if faultfs.FS(state) == sv.served {
		return sv.failed
	}
	sv.served, sv.failed, sv.failure = state, -1, ""
	sv.env = commandEnv(s)
	if sv.r.cfg.ack != nil {
		name, err := sv.r.writeAcks(s.Point)
		if err != nil {
			sv.r.mu.Lock()
			if sv.r.setupErr == "" {
				sv.r.setupErr = fmt.Sprintf("writing the CRASHCHECK_ACKS file: %v", err)
			}
			sv.r.mu.Unlock()
		}
		sv.env = append(sv.env, "CRASHCHECK_ACKS="+name)
	}
	if len(sv.recovers) > 0 {
		sv.r.switchTo(state, false)
		for i, c := range sv.recovers {
			if exit, note, out := sv.r.shell(c, sv.env); exit != 0 || note != "" {
				sv.failed, sv.failure = i, commandDetail(c, exit, note, out)
				break
			}
		}
	}
	sv.r.switchTo(state, true)
	return sv.failed
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
