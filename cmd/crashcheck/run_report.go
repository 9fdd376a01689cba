//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// jsonReport is the --json form; its fields are a contract.
type jsonReport struct {
	Model       string      `json:"model"`
	Ops         int         `json:"ops"`
	CrashPoints int         `json:"crash_points"`
	States      int         `json:"states"`
	Exhaustive  bool        `json:"exhaustive"`
	CommandExit int         `json:"command_exit"`
	Violations  []violation `json:"violations"`
}

// report prints the human report (and writes the JSON one) and returns the
// exit status.
func (r *runner) report(res *checkResult) int {
	w := r.stdout
	exhaustive := "exhaustive"
	if !res.exhaustive {
		exhaustive = fmt.Sprintf("sampled beyond %d per crash point, seed %d", r.cfg.maxStates, r.cfg.seed)
	}
	command := fmt.Sprintf("COMMAND exited %d", r.commandExit)
	if r.commandNote != "" {
		command = "COMMAND " + r.commandNote
	}
	fmt.Fprintf(w, "crashcheck run: model %s: %d ops, %d crash points, %d states (%s); %s\n",
		r.cfg.modelName, len(res.ops), res.points, res.states, exhaustive, command)

	if r.cfg.jsonPath != "" {
		viol := res.violations
		if viol == nil {
			viol = []violation{}
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err := enc.Encode(jsonReport{
			Model: r.cfg.modelName, Ops: len(res.ops), CrashPoints: res.points, States: res.states,
			Exhaustive: res.exhaustive, CommandExit: r.commandExit, Violations: viol,
		})
		if err == nil {
			err = os.WriteFile(r.cfg.jsonPath, b.Bytes(), 0o644)
		}
		if err != nil {
			fmt.Fprintf(r.stderr, "crashcheck run: --json: %v\n", err)
			return 2
		}
	}

	if len(res.violations) == 0 {
		fmt.Fprintln(w, "no violation")
		return 0
	}
	v := res.violations[0]
	fmt.Fprintf(w, "\n%d violation(s); the smallest:\n\n", len(res.violations))
	at := "before the first operation"
	if v.Point > 0 {
		at = "after " + v.Op
	}
	fmt.Fprintf(w, "VIOLATION %s: %s, crash at point %d (%s)\n", v.Property, v.Model, v.Point, at)
	fmt.Fprintf(w, "  %s\n", v.Detail)
	fmt.Fprintf(w, "  state: %s\n", v.describe)
	if v.Point > 0 {
		fmt.Fprintln(w, "  operations up to the crash:")
		r.printTrace(res, v)
	}
	if len(res.violations) > 1 {
		fmt.Fprintln(w, "\nothers:")
		for i, o := range res.violations[1:] {
			if i == 20 {
				fmt.Fprintf(w, "  ... and %d more\n", len(res.violations)-21)
				break
			}
			fmt.Fprintf(w, "  %s %s at point %d: %s\n", o.Model, o.Property, o.Point, o.Detail)
		}
	}
	return 1
}

// printTrace lists the operations before v's crash point, marking those
// the state kept, dropped or tore; unmarked ones were durable already or
// change nothing on disk. Long runs of unmarked operations are elided.
func (r *runner) printTrace(res *checkResult, v violation) {
	const tail = 40
	skipped := 0
	for i := 0; i < v.Point; i++ {
		mark := ""
		switch {
		case slices.Contains(v.torn, i):
			mark = "torn"
		case slices.Contains(v.dropped, i):
			mark = "dropped"
		case slices.Contains(v.kept, i):
			mark = "kept"
		}
		if mark == "" && i < v.Point-tail {
			skipped++
			continue
		}
		if skipped > 0 {
			fmt.Fprintf(r.stdout, "    %-8s ... %d operations\n", "", skipped)
			skipped = 0
		}
		fmt.Fprintf(r.stdout, "    %-8s %s\n", mark, strings.TrimSpace(res.ops[i].String()))
	}
}
