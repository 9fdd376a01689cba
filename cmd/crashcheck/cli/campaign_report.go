//go:build linux

package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/crashcheck/crashcheck/scenarios"
	"github.com/crashcheck/crashcheck/writer"
)

// printCase prints a case's report for a person: the minimal
// counterexample if it failed (else the case as drawn), the inputs rapid
// drew for it, optionally the whole op trace of the fault-free run, and
// the line that replays it.
func printCase(w io.Writer, r *caseResult, d *drawnCase, seed uint64, model string, trace bool) {
	fmt.Fprintf(w, "=== case %d of %s (case seed %d)", r.index, r.scenario, r.seed)
	switch {
	case r.brokenSpec != nil:
		fmt.Fprintf(w, ": the scenario itself failed on its minimal input\n  %v\n", r.brokenSpec)
	case r.failed != nil:
		fmt.Fprintf(w, ": minimal counterexample\n")
	case r.skipped:
		fmt.Fprintf(w, ": skipped: %s\n", d.skipReason(model))
	default:
		fmt.Fprintf(w, "\n")
	}
	if len(r.inputs) > 0 {
		fmt.Fprintf(w, "inputs:\n")
		for _, in := range r.inputs {
			fmt.Fprintf(w, "  %s\n", in)
		}
	}
	rep := r.failed
	if rep == nil {
		rep = r.first
	}
	if rep != nil {
		io.WriteString(w, rep.String())
		if trace {
			fmt.Fprintf(w, "calls of the fault-free run (%d):\n", len(rep.Trace))
			for _, op := range rep.Trace {
				fmt.Fprintf(w, "  %s\n", op)
			}
		}
	}
	fmt.Fprintf(w, "replay: %s\n", replayLine(r.scenario, seed, r.index, model))
}

// jsonCampaign is the -json report. Its field names are a contract.
type jsonCampaign struct {
	Scenario    string  `json:"scenario"`
	Model       string  `json:"model"`
	Seed        uint64  `json:"seed"`
	Runs        int     `json:"runs"`
	CrashPoints int     `json:"crash_points"`
	States      int     `json:"states"`
	Seconds     float64 `json:"seconds"`
	// Interrupted: a signal stopped the campaign; the report covers the
	// cases finished before it.
	Interrupted bool            `json:"interrupted"`
	Violations  []jsonViolation `json:"violations"`
}

// jsonViolation is one violation of the -json report: the harness's own
// record (scenarios.Violation: invariant, property, path, kind, model,
// crash_point, op, fault, state, timeline), where the campaign found it,
// and the line that replays it.
type jsonViolation struct {
	scenarios.Violation
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"` // the campaign's seed
	Case     int    `json:"case"`
	// Detail takes the place of the embedded one: it also names the
	// injected fault and the crash state, as it always has (they are in
	// "fault" and "state" on their own too).
	Detail string `json:"detail"`
	Replay string `json:"replay"`
}

// campaignJSON builds the -json report of a campaign.
func campaignJSON(scenario, model string, seed uint64, res *campaignResult) jsonCampaign {
	out := jsonCampaign{
		Scenario: scenario, Model: model, Seed: seed, Runs: len(res.cases),
		CrashPoints: res.crashPoints, States: res.states, Seconds: res.elapsed.Seconds(),
		Interrupted: res.interrupted, Violations: []jsonViolation{},
	}
	for _, c := range res.failures() {
		replay := replayLine(c.scenario, seed, c.index, model)
		if c.brokenSpec != nil {
			// The scenario's own Setup or fault-free Run returned an
			// error: no crash is involved.
			v := scenarios.Violation{Invariant: "scenario", Property: "scenario", Kind: scenarios.AfterError,
				Point: -1, Detail: c.brokenSpec.Error(), Timeline: []string{}}
			out.Violations = append(out.Violations, jsonViolation{Violation: v, Scenario: c.scenario, Seed: seed,
				Case: c.index, Detail: v.Detail, Replay: replay})
			continue
		}
		for _, v := range c.failed.Violations {
			detail := v.Detail
			if v.Fault != "" {
				detail = "injected fault at " + v.Fault + ": " + detail
			}
			if v.State != "" {
				detail += " (state: " + v.State + ")"
			}
			if v.Timeline == nil {
				v.Timeline = []string{}
			}
			out.Violations = append(out.Violations, jsonViolation{Violation: v, Scenario: c.scenario, Seed: seed,
				Case: c.index, Detail: detail, Replay: replay})
		}
	}
	return out
}

// writeJSON replaces path with v in the reports' JSON form
// (scenarios.EncodeJSON), atomically and durably, with our own writer: a
// crash leaves the old report or the new one, never a torn one.
func writeJSON(path string, v any) error {
	var b bytes.Buffer
	if err := scenarios.EncodeJSON(&b, v); err != nil {
		return fmt.Errorf("encoding the JSON report: %w", err)
	}
	if err := writer.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the JSON report: %w", err)
	}
	return nil
}

// rate formats a per-second figure.
func rate(n int, secs float64) string {
	if secs <= 0 {
		return "-"
	}
	r := float64(n) / secs
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.2fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}

// plural is "1 case", "2 cases".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	if strings.HasSuffix(word, "s") {
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
