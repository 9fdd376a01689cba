//go:build linux

package cli

import (
	"fmt"
	"io"
	"strings"

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

// noOps is the NOT TESTED line of a COMMAND that changed nothing on the
// mounted tree: with no operation there is no crash to test.
const noOps = "COMMAND made no operation on the mounted tree (it changed nothing there, or wrote only outside it): there is no crash to test"

// report prints the report for a person (and writes the JSON one) and
// returns crashcheck's exit status: 2 when something was NOT TESTED, else
// 1 when an invariant was violated, else 0. The first line is run's
// summary (what only run knows: the -model flag, how COMMAND ended); the
// rest is the harness's text form, as scenarios.Check prints it.
func (r *runner) report(rep *scenarios.Report) int {
	if len(rep.Ops) == 0 {
		rep.Untested = append(rep.Untested, noOps)
	}
	return printRunReport(r.stdout, r.stderr, rep, r.cfg.jsonPath, runSummary(r.cfg.modelName, rep, r.commandOutcome()),
		jsonReport{Model: r.cfg.modelName, CommandExit: r.commandExit}, nil)
}

// runSummary is run's first line: "crashcheck run: model M: N ops, N
// crash points, N states (COVERAGE); COMMAND exited N; VERDICT", where
// COVERAGE is the report's Coverage and VERDICT says how many violations
// and how many things were NOT TESTED.
func runSummary(model string, rep *scenarios.Report, outcome string) string {
	return fmt.Sprintf("crashcheck run: model %s: %d ops, %d crash points, %d states (%s); %s; %s",
		model, len(rep.Ops), rep.CrashPoints, rep.States, rep.Coverage(), outcome, runVerdict(rep))
}

// runVerdict is the end of run's summary line: "no violation", "2
// violation(s)", followed by "; 1 NOT TESTED (below)" when the check
// could not test something.
func runVerdict(rep *scenarios.Report) string {
	v := "no violation"
	if !rep.OK() {
		v = fmt.Sprintf("%d violation(s)", len(rep.Violations))
	}
	if len(rep.Untested) > 0 {
		v += fmt.Sprintf("; %d NOT TESTED (below)", len(rep.Untested))
	}
	return v
}

// printRunReport prints summary, then the report's body (reportBody),
// writes the JSON report to jsonPath (if set): extra with the report's
// fields filled in, then changed by adjust (if not nil); and returns the
// exit status. Both run and run -fs report through it.
func printRunReport(w, stderr io.Writer, rep *scenarios.Report, jsonPath, summary string, extra jsonReport, adjust func(*jsonReport)) int {
	fmt.Fprintln(w, summary)
	io.WriteString(w, reportBody(rep))
	if jsonPath != "" {
		extra.ReportJSON = rep.JSON()
		if adjust != nil {
			adjust(&extra)
		}
		if err := writeJSON(jsonPath, extra); err != nil {
			fmt.Fprintf(stderr, "crashcheck run: %v\n", err)
			return 2
		}
	}
	switch {
	case len(rep.Untested) > 0:
		return 2
	case !rep.OK():
		return 1
	}
	return 0
}

// reportBody is the report's text form (scenarios.Report.String) after
// its summary line: the NOT TESTED lines, then each violation. Run prints
// its own summary line in place of the harness's, and the rest word for
// word.
func reportBody(rep *scenarios.Report) string {
	s := rep.String()
	body, ok := strings.CutPrefix(s, rep.Summary()+"\n")
	if !ok {
		// Report.String no longer starts with its Summary: print it whole
		// rather than lose a line.
		return s
	}
	return body
}
