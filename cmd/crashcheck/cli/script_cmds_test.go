//go:build linux

package cli

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptCmds are the testscript commands the crashcheck scripts use beyond
// the built-in ones.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"replay":     cmdReplay,
	"execany":    cmdExecAny,
	"samelines":  cmdSameLines,
	"partition":  cmdPartition,
	"jsonreport": cmdJSONReport,
}

// cmdReplay runs the first "replay: crashcheck replay ..." line of a file,
// as crashcheck torture printed it; like exec, its output becomes stdout
// and stderr, and ! expects a non-zero exit.
func cmdReplay(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: replay file")
	}
	var line string
	for l := range strings.SplitSeq(ts.ReadFile(args[0]), "\n") {
		if rest, ok := strings.CutPrefix(l, "replay: "); ok {
			line = rest
			break
		}
	}
	fields := strings.Fields(line)
	if len(fields) < 2 || fields[0] != "crashcheck" || fields[1] != "replay" {
		ts.Fatalf("no \"replay: crashcheck replay ...\" line in %s", args[0])
	}
	err := ts.Exec("crashcheck", fields[1:]...)
	if err != nil && !neg {
		ts.Fatalf("%s: %v", line, err)
	}
	if err == nil && neg {
		ts.Fatalf("%s: unexpected success", line)
	}
}

// cmdExecAny is exec that accepts any exit status: for runs whose outcome
// depends on scenarios other engineers add.
func cmdExecAny(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || neg {
		ts.Fatalf("usage: execany program [args...]")
	}
	_ = ts.Exec(args[0], args[1:]...)
}

// matching returns the lines of file that match re, or their first
// parenthesised submatch if re has one.
func matching(ts *testscript.TestScript, re *regexp.Regexp, file string) []string {
	var out []string
	for l := range strings.SplitSeq(ts.ReadFile(file), "\n") {
		m := re.FindStringSubmatch(l)
		switch {
		case m == nil:
		case len(m) > 1:
			out = append(out, m[1])
		default:
			out = append(out, l)
		}
	}
	return out
}

// cmdSameLines checks that the lines matching a regexp (or their first
// submatches) are the same, in the same order, in two files, and that
// there are some; with !, that they differ.
func cmdSameLines(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: [!] samelines regexp file1 file2")
	}
	re := regexp.MustCompile(args[0])
	a, b := matching(ts, re, args[1]), matching(ts, re, args[2])
	if len(a) == 0 {
		ts.Fatalf("no line of %s matches %q", args[1], args[0])
	}
	if neg {
		if slices.Equal(a, b) {
			ts.Fatalf("lines matching %q are the same in %s and %s", args[0], args[1], args[2])
		}
		return
	}
	if !slices.Equal(a, b) {
		ts.Fatalf("lines matching %q differ:\n%s:\n%s\n%s:\n%s", args[0], args[1], strings.Join(a, "\n"), args[2], strings.Join(b, "\n"))
	}
}

// cmdPartition checks that the lines matching a regexp in whole are
// exactly those of the parts, each in one part only.
func cmdPartition(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 || neg {
		ts.Fatalf("usage: partition regexp whole part...")
	}
	re := regexp.MustCompile(args[0])
	whole := matching(ts, re, args[1])
	if len(whole) == 0 {
		ts.Fatalf("no line of %s matches %q", args[1], args[0])
	}
	owner := map[string]string{}
	var union []string
	for _, part := range args[2:] {
		lines := matching(ts, re, part)
		if len(lines) == 0 {
			ts.Fatalf("part %s is empty", part)
		}
		for _, l := range lines {
			if o, dup := owner[l]; dup {
				ts.Fatalf("%q is in both %s and %s", l, o, part)
			}
			owner[l] = part
		}
		union = append(union, lines...)
	}
	slices.Sort(whole)
	slices.Sort(union)
	if !slices.Equal(whole, union) {
		ts.Fatalf("the parts together are not %s:\nwhole:\n%s\nparts:\n%s", args[1], strings.Join(whole, "\n"), strings.Join(union, "\n"))
	}
}

// jsonContract is the field list of a JSON report: those it has always
// had and those added since (fields are added, never renamed), at the top
// and in every violation.
type jsonContract struct {
	top, topAdded             []string
	violation, violationAdded []string
}

// The harness's own violation fields (scenarios.Violation), which both
// reports now carry.
var harnessViolation = []string{"invariant", "property", "path", "kind", "model", "crash_point", "op", "fault", "state", "detail", "timeline"}

var (
	// tortureContract: crashcheck torture -json.
	tortureContract = jsonContract{
		top:            []string{"scenario", "model", "seed", "runs", "crash_points", "states", "seconds", "interrupted", "violations"},
		violation:      []string{"scenario", "model", "seed", "case", "crash_point", "invariant", "detail", "replay"},
		violationAdded: harnessViolation,
	}
	// runContract: crashcheck run --json.
	runContract = jsonContract{
		top:            []string{"model", "ops", "crash_points", "states", "exhaustive", "command_exit", "violations"},
		topAdded:       []string{"name", "models", "interrupted", "error_runs", "coverage", "stopped_early"},
		violation:      []string{"model", "crash_point", "op", "property", "path", "detail"},
		violationAdded: harnessViolation,
	}
)

// cmdJSONReport checks that a -json report of torture (of run, with -run)
// has exactly its contract's fields, at the top and in every violation,
// and that there are n violations (any number when n is "any"). A
// violation's model is "" exactly when its crash point is -1.
func cmdJSONReport(ts *testscript.TestScript, neg bool, args []string) {
	contract := tortureContract
	if len(args) > 0 && args[0] == "-run" {
		contract, args = runContract, args[1:]
	}
	if len(args) != 2 || neg {
		ts.Fatalf("usage: jsonreport [-run] file n|any")
	}
	var top map[string]json.RawMessage
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &top))
	sameKeys(ts, "the report", top, slices.Concat(contract.top, contract.topAdded))
	var viols []map[string]json.RawMessage
	ts.Check(json.Unmarshal(top["violations"], &viols))
	if viols == nil {
		ts.Fatalf("violations is %s, not a list", top["violations"])
	}
	for i, v := range viols {
		sameKeys(ts, "violation "+strconv.Itoa(i), v, slices.Concat(contract.violation, contract.violationAdded))
		// No crash involved: model "" and crash point -1, together.
		if (string(v["model"]) == `""`) != (string(v["crash_point"]) == "-1") {
			ts.Fatalf("violation %d has model %s and crash_point %s", i, v["model"], v["crash_point"])
		}
	}
	if args[1] != "any" && args[1] != strconv.Itoa(len(viols)) {
		ts.Fatalf("%d violations, want %s", len(viols), args[1])
	}
}

// optionalFields are the fields the harness leaves out when they are
// empty (scenarios' omitempty tags): a report may have them or not.
var optionalFields = []string{"untested", "hints"}

func sameKeys(ts *testscript.TestScript, what string, m map[string]json.RawMessage, want []string) {
	got := slices.Sorted(maps.Keys(m))
	got = slices.DeleteFunc(got, func(k string) bool { return slices.Contains(optionalFields, k) })
	w := slices.Compact(slices.Sorted(slices.Values(want)))
	if !slices.Equal(got, w) {
		ts.Fatalf("%s has fields %v, want exactly %v", what, got, w)
	}
}
