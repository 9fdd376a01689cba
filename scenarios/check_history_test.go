package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// recordInPlace records a rewrite of f in place (truncate, two writes, no
// fsync), the way a black-box front end records a program: on a Mem,
// without the harness.
func recordInPlace(t *testing.T) *faultfs.History {
	t.Helper()
	m := faultfs.NewMem()
	if err := faultfs.WriteFile(m, "f", bytes.Repeat([]byte("o"), 1500), 0o644); err != nil {
		t.Fatal(err)
	}
	m.MakeDurable()
	f, err := m.OpenFile("f", os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := f.Write(bytes.Repeat([]byte("n"), 700)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return m.History()
}

// TestCheckHistoryIsVerify: checking a recorded history finds what Verify
// finds for the same workload without error runs: one checker.
func TestCheckHistoryIsVerify(t *testing.T) {
	invs := []Invariant{AtomicReplace("f"), Durable("f")}
	got := CheckHistory(recordInPlace(t), HistoryOptions{Name: "in-place", Invariants: invs})
	want, err := Verify(Spec{
		Name: "in-place",
		Setup: func(fsys faultfs.FS) error {
			return faultfs.WriteFile(fsys, "f", bytes.Repeat([]byte("o"), 1500), 0o644)
		},
		Run: func(fsys faultfs.FS) error {
			f, err := fsys.OpenFile("f", os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				return err
			}
			for range 2 {
				if _, err := f.Write(bytes.Repeat([]byte("n"), 700)); err != nil {
					return err
				}
			}
			return f.Close()
		},
		Invariants: invs,
		NoErrors:   true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.OK() {
		t.Fatal("an unsynced rewrite in place passed")
	}
	want.Trace = nil // a history has no call trace
	if g, w := got.String(), want.String(); g != w {
		t.Errorf("CheckHistory and Verify disagree:\n--- CheckHistory\n%s--- Verify\n%s", g, w)
	}
}

// TestCheckHistorySmallest: the violation kept for an invariant and model
// is at the earliest point where some state breaks it, and keeps no more
// pending operations than any other state there that breaks it.
func TestCheckHistorySmallest(t *testing.T) {
	h := recordInPlace(t)
	inv := AtomicReplace("f")
	rep := CheckHistory(h, HistoryOptions{Invariants: []Invariant{inv}, Models: faultfs.Models()})
	for _, m := range faultfs.Models() {
		i := slices.IndexFunc(rep.Violations, func(v Violation) bool { return v.Model == m.Name() && v.Kind == AfterCrash })
		if i < 0 {
			t.Errorf("%s: no violation", m.Name())
			continue
		}
		v := rep.Violations[i]
		initial, final := h.InitialState(), h.FinalState()
		earliest, fewest := -1, 0
		for k := 0; k < h.Points() && earliest < 0; k++ {
			h.Enumerate(m, k, faultfs.EnumOptions{}, func(s *faultfs.CrashState) bool {
				sit := &Situation{Kind: AfterCrash, Model: m.Name(), Point: k, State: s, Initial: initial, Final: final}
				if inv.Check(sit) != nil && (earliest < 0 || s.KeptCount() < fewest) {
					earliest, fewest = k, s.KeptCount()
				}
				return true
			})
		}
		if v.Point != earliest || v.kept != fewest {
			t.Errorf("%s: kept the violation at point %d keeping %d ops, want point %d keeping %d", m.Name(), v.Point, v.kept, earliest, fewest)
		}
	}
}

// TestCheckHistoryRunErr: a run that did not return successfully (a
// command that exited non-zero) is judged as an error run: Durable does
// not apply, AtomicReplace does.
func TestCheckHistoryRunErr(t *testing.T) {
	h := recordInPlace(t)
	invs := []Invariant{AtomicReplace("f"), Durable("f")}
	ok := CheckHistory(h, HistoryOptions{Invariants: invs, Models: []faultfs.Model{faultfs.POSIX}})
	failed := CheckHistory(h, HistoryOptions{Invariants: invs, Models: []faultfs.Model{faultfs.POSIX}, RunErr: errors.New("exit status 1")})
	has := func(r *Report, prop string) bool {
		return slices.ContainsFunc(r.Violations, func(v Violation) bool { return v.Property == prop })
	}
	if !has(ok, "durable") || !has(ok, "atomic") {
		t.Errorf("a successful run: want atomic and durable violations\n%s", ok)
	}
	if has(failed, "durable") || !has(failed, "atomic") {
		t.Errorf("a failed run: want atomic violations only\n%s", failed)
	}
	if !slices.ContainsFunc(failed.Violations, func(v Violation) bool { return v.Kind == AfterCrash }) {
		t.Errorf("a failed run: no crash checked\n%s", failed)
	}
}

// TestCheckHistoryStopAndProgress: Stop ends the check at once and the
// report says so; Progress counts every state checked.
func TestCheckHistoryStopAndProgress(t *testing.T) {
	h := recordInPlace(t)
	var seen []int
	full := CheckHistory(h, HistoryOptions{Invariants: []Invariant{Holds("never", func(faultfs.FS) error { return nil })},
		Progress: func(n int) { seen = append(seen, n) }})
	if full.Interrupted || len(seen) != full.States || seen[len(seen)-1] != full.States {
		t.Errorf("Progress called %d times (last %v) for %d states, interrupted %v", len(seen), seen[len(seen)-1:], full.States, full.Interrupted)
	}
	polls := 0
	stopped := CheckHistory(h, HistoryOptions{Invariants: []Invariant{AtomicReplace("f")},
		Stop: func() bool { polls++; return polls > 5 }})
	if !stopped.Interrupted || stopped.States != 4 {
		t.Errorf("stopped after %d polls: Interrupted %v, %d states, want true and 4", polls, stopped.Interrupted, stopped.States)
	}
	if !strings.Contains(stopped.String(), "(interrupted)") {
		t.Errorf("an interrupted report does not say so:\n%s", stopped)
	}
}

// TestReportJSON: the JSON form carries every field crashcheck run --json
// and torture -json emit, with their names, and shows operations as they
// are written.
func TestReportJSON(t *testing.T) {
	rep := CheckHistory(recordInPlace(t), HistoryOptions{Invariants: []Invariant{AtomicReplace("f")}, Models: []faultfs.Model{faultfs.Process}})
	var b bytes.Buffer
	if err := EncodeJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	for _, k := range []string{"model", "ops", "crash_points", "states", "exhaustive", "violations"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("report has no %q: %s", k, b.String())
		}
	}
	viol := doc["violations"].([]any)
	if len(viol) == 0 {
		t.Fatalf("no violations: %s", b.String())
	}
	v := viol[0].(map[string]any)
	for k, want := range map[string]any{"model": "process", "property": "atomic", "path": "f", "invariant": "AtomicReplace(f)", "kind": "crash"} {
		if v[k] != want {
			t.Errorf("violation %s = %v, want %v", k, v[k], want)
		}
	}
	for _, k := range []string{"crash_point", "op", "detail", "state", "fault", "timeline"} {
		if _, ok := v[k]; !ok {
			t.Errorf("violation has no %q: %s", k, b.String())
		}
	}
	if op, _ := v["op"].(string); !strings.HasPrefix(op, "#") {
		t.Errorf("op = %q, want the last operation before the crash", op)
	}
	if strings.Contains(b.String(), `\u003e`) || strings.Contains(b.String(), `\u003c`) {
		t.Errorf("'<' or '>' escaped: %s", b.String())
	}
	empty, _ := (&Report{}).MarshalJSON()
	if !strings.Contains(string(empty), `"violations":[]`) {
		t.Errorf("a report without violations: %s, want violations []", empty)
	}
}

// TestCheckHistorySmallestNotFirst: when the first state that breaks an
// invariant at a point keeps more pending operations than a later one,
// the later one is kept. Three directories are made, none synced; the
// invariant breaks, after the third, in the state that kept a and b
// (visited first) and in the one that kept c alone.
func TestCheckHistorySmallestNotFirst(t *testing.T) {
	m := faultfs.NewMem()
	m.MakeDurable()
	for _, d := range []string{"a", "b", "c"} {
		if err := m.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	h := m.History()
	if h.Points() != 4 {
		t.Fatalf("%d crash points, want 4: %v", h.Points(), h.Ops())
	}
	inv := Invariant{Name: "odd", Check: func(s *Situation) error {
		if s.Kind != AfterCrash || s.Point != 3 {
			return nil
		}
		has := func(d string) bool { _, err := s.State.Stat(d); return err == nil }
		if has("a") && has("b") && !has("c") || !has("a") && !has("b") && has("c") {
			return errors.New("odd")
		}
		return nil
	}}
	rep := CheckHistory(h, HistoryOptions{Invariants: []Invariant{inv}, Models: []faultfs.Model{faultfs.POSIX}}) // posix
	if len(rep.Violations) != 1 {
		t.Fatalf("want one violation:\n%s", rep)
	}
	if v := rep.Violations[0]; v.kept != 1 {
		t.Errorf("kept the violation in a state keeping %d ops, want 1 (c alone): %s", v.kept, v.State)
	}
}
