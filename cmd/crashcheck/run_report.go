//go:build linux

package main

import (
	"fmt"
	"io"

	"github.com/crashcheck/crashcheck/scenarios"
)

// jsonReport is the --json form: the harness's report (scenarios.ReportJSON,
// the same fields as every report) plus what only run knows. Its fields
// are a contract: added, never renamed.
type jsonReport struct {
	scenarios.ReportJSON
	// Model is the -model flag as given ("posix", "all"); it takes the
	// place of the embedded one (the models checked, comma-separated:
	// those are in "models").
	Model       string `json:"model"`
	CommandExit int    `json:"command_exit"` // -1 when COMMAND did not simply exit
}

// report prints the report for a person (and writes the JSON one) and
// returns crashcheck's exit status. The first line is run's summary; the
// violations are printed in the harness's text form, as scenarios.Check
// prints them.
func (r *runner) report(rep *scenarios.Report) int {
	w := r.stdout
	fmt.Fprintf(w, "crashcheck run: model %s: %d ops, %d crash points, %d states (%s); %s\n",
		r.cfg.modelName, len(rep.Ops), rep.CrashPoints, rep.States, r.coverage(rep), r.commandOutcome())

	if r.cfg.jsonPath != "" {
		out := jsonReport{ReportJSON: rep.JSON(), Model: r.cfg.modelName, CommandExit: r.commandExit}
		if err := writeJSON(r.cfg.jsonPath, out); err != nil {
			fmt.Fprintf(r.stderr, "crashcheck run: %v\n", err)
			return 2
		}
	}
	if rep.OK() {
		fmt.Fprintln(w, "no violation")
		return 0
	}
	printViolations(w, rep)
	return 1
}

// coverage says how completely the crash states were explored.
func (r *runner) coverage(rep *scenarios.Report) string {
	switch {
	case rep.Interrupted:
		return "interrupted"
	case !rep.Exhaustive:
		return fmt.Sprintf("sampled beyond %d per crash point, seed %d", r.cfg.maxStates, r.cfg.seed)
	}
	return "exhaustive"
}

// printViolations prints a report's violations in the harness's text form
// (scenarios.Violation.String), earliest first.
func printViolations(w io.Writer, rep *scenarios.Report) {
	fmt.Fprintf(w, "%d violation(s):\n", len(rep.Violations))
	for _, v := range rep.Violations {
		fmt.Fprintln(w)
		io.WriteString(w, v.String())
	}
}
