package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crashcheck/crashcheck/faultfs"
)

// Report is what Verify found.
type Report struct {
	Name        string
	Models      []string
	Ops         []faultfs.Op // the fault-free run's disk operations (its crash points lie between them)
	Trace       []faultfs.Op // every call the fault-free run made
	CrashPoints int          // crash points of the fault-free run
	States      int          // crash states checked, over all runs and models
	Exhaustive  bool         // no crash point was sampled: each was enumerated whole, or until StoppedEarly
	Interrupted bool         // HistoryOptions.Stop stopped the check before every state was checked
	// StoppedEarly: some crash states were not checked because every
	// invariant had already failed (see CheckHistory).
	StoppedEarly bool
	ErrorRuns    int         // re-runs with an injected fault
	Violations   []Violation // smallest first
	// Untested says why the check could not test something: there were no
	// invariants, or an invariant's path exists in no state checked (a
	// typo). Verify returns these as its error; CheckHistory reports them
	// here and in the summary.
	Untested []string
}

// OK reports whether no invariant was violated.
func (r *Report) OK() bool { return len(r.Violations) == 0 }

// Violation is one invariant found broken, with what a person needs to
// understand it.
//
// Its JSON form (the field tags) is a contract shared by crashcheck run
// --json and torture -json: fields are added, never renamed.
type Violation struct {
	Invariant string `json:"invariant"`
	// Property and Path are the invariant's (see Invariant).
	Property string `json:"property"`
	Path     string `json:"path"`
	Kind     Kind   `json:"kind"`
	Model    string `json:"model"`       // the persistence model; "" when no crash is involved
	Point    int    `json:"crash_point"` // the crash point (ops done before the crash); -1 when no crash is involved
	// Op is the last disk operation before the crash ("" at point 0 and
	// when no crash is involved).
	Op       string   `json:"op"`
	Fault    string   `json:"fault"`  // the injected fault, if any ("call #3 fsync .f.tmp = EIO"), numbered among the run's calls
	State    string   `json:"state"`  // which pending ops the crash state kept, dropped, tore
	Detail   string   `json:"detail"` // what the file held against old and new
	Timeline []string `json:"timeline"`
	// Hints say what to do, when the state and the operations around it
	// show it (a rename dropped because its directory is never fsynced
	// after it, a write lost to a failed fsync that was retried, a mode
	// set after the rename).
	Hints []string `json:"hints,omitempty"`
	kept  int
}

func newViolation(inv Invariant, s *Situation, h *faultfs.History, err error) Violation {
	v := Violation{Invariant: inv.Name, Property: inv.property(), Path: inv.Path,
		Kind: s.Kind, Model: s.Model, Point: -1, Detail: err.Error()}
	if s.Fault != nil {
		// The injector numbers every call (reads and stats too); the
		// disk operations below are numbered among themselves.
		v.Fault = "call " + s.Fault.String()
	}
	ops := h.Ops()
	fate := map[int]string{}
	limit := len(ops)
	if s.Kind == AfterCrash {
		v.Point = s.Point
		if s.Point > 0 {
			v.Op = ops[s.Point-1].String()
		}
		v.State = s.State.Describe()
		v.kept = s.State.KeptCount()
		limit = s.Point
		for _, i := range s.State.Kept() {
			fate[i] = "kept"
		}
		for _, i := range s.State.Dropped() {
			fate[i] = "DROPPED"
		}
		for _, i := range s.State.Torn() {
			fate[i] = "TORN"
		}
		for _, i := range s.State.Lost() {
			fate[i] = "LOST to the failed fsync"
		}
	}
	for i := 0; i < limit; i++ {
		line := ops[i].String()
		if f, ok := fate[i]; ok {
			line = fmt.Sprintf("%-60s  [%s]", line, f)
		}
		v.Timeline = append(v.Timeline, line)
	}
	v.Hints = hints(inv, s, ops)
	if s.Kind == AfterCrash {
		if s.Point < len(ops) {
			v.Timeline = append(v.Timeline, fmt.Sprintf("--- crash (next: %s)", ops[s.Point]))
		} else {
			v.Timeline = append(v.Timeline, "--- crash after Run returned")
		}
	}
	return v
}

func (r *Report) sortViolations() {
	slices.SortStableFunc(r.Violations, func(a, b Violation) int {
		if a.Kind != b.Kind {
			return int(a.Kind) - int(b.Kind)
		}
		if a.Point != b.Point {
			return a.Point - b.Point
		}
		return a.kept - b.kept
	})
}

// String prints the violation for a person.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "VIOLATION %s", v.Invariant)
	switch v.Kind {
	case AfterCrash:
		fmt.Fprintf(&b, " after a crash at point %d under %s", v.Point, v.Model)
	case AfterError:
		fmt.Fprintf(&b, " after Run returned an error")
	case AfterSuccess:
		fmt.Fprintf(&b, " after Run returned nil")
	}
	b.WriteString("\n")
	if v.Fault != "" {
		fmt.Fprintf(&b, "  injected fault: %s\n", v.Fault)
	}
	fmt.Fprintf(&b, "  %s\n", v.Detail)
	if v.State != "" {
		fmt.Fprintf(&b, "  state: %s\n", v.State)
	}
	for _, h := range v.Hints {
		fmt.Fprintf(&b, "  hint: %s\n", h)
	}
	if len(v.Timeline) > 0 {
		b.WriteString("  disk operations (crash points fall between them):\n")
		for _, l := range v.Timeline {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	return b.String()
}

// Summary is the report's first line, without its newline: what was
// explored, and "ok" or how many violations.
func (r *Report) Summary() string {
	name := r.Name
	if name == "" {
		name = unnamed
	}
	s := fmt.Sprintf("%s: %d ops, %d crash points, %d crash states (%s) under %s, %d error runs: ",
		name, len(r.Ops), r.CrashPoints, r.States, r.Coverage(), strings.Join(r.Models, ","), r.ErrorRuns)
	if r.OK() {
		return s + "ok"
	}
	return s + fmt.Sprintf("%d violation(s)", len(r.Violations))
}

// String prints the report: the summary line, what could not be tested,
// then each violation.
func (r *Report) String() string {
	var b strings.Builder
	b.WriteString(r.Summary() + "\n")
	for _, u := range r.Untested {
		fmt.Fprintf(&b, "NOT TESTED: %s\n", u)
	}
	if r.OK() {
		return b.String()
	}
	for _, v := range r.Violations {
		b.WriteString(v.String())
	}
	return b.String()
}

// Coverage says how far the crash states were explored: "exhaustive"
// (every state at every crash point), "sampled" (some point had more than
// MaxStates states), "stopped early: every invariant already failed"
// (states were left unchecked once there was nothing left to find), both
// of the last two, or "interrupted" (Stop ended the check).
func (r *Report) Coverage() string {
	switch {
	case r.Interrupted:
		return "interrupted"
	case !r.Exhaustive && r.StoppedEarly:
		return "sampled; stopped early: every invariant already failed"
	case !r.Exhaustive:
		return "sampled"
	case r.StoppedEarly:
		return "stopped early: every invariant already failed"
	}
	return "exhaustive"
}
