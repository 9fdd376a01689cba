//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

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

// jsonViolation is one violation of the -json report.
type jsonViolation struct {
	Scenario   string `json:"scenario"`
	Model      string `json:"model"` // "" when no crash is involved
	Seed       uint64 `json:"seed"`  // the campaign's seed
	Case       int    `json:"case"`
	CrashPoint int    `json:"crash_point"` // -1 when no crash is involved
	Invariant  string `json:"invariant"`
	Detail     string `json:"detail"`
	Replay     string `json:"replay"`
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
			out.Violations = append(out.Violations, jsonViolation{Scenario: c.scenario, Seed: seed, Case: c.index,
				CrashPoint: -1, Invariant: "scenario", Detail: c.brokenSpec.Error(), Replay: replay})
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
			out.Violations = append(out.Violations, jsonViolation{Scenario: c.scenario, Model: v.Model, Seed: seed,
				Case: c.index, CrashPoint: v.Point, Invariant: v.Invariant, Detail: detail, Replay: replay})
		}
	}
	return out
}

// writeJSON replaces path with v, indented, atomically and durably (with
// our own writer: a crash leaves the old report or the new one).
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if err := writer.WriteFile(path, b, 0o644); err != nil {
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
