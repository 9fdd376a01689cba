//go:build linux

package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The audit: real programs from Debian packages, crash-tested black-box
// by crashcheck run, each with its expected verdict per model (the rows
// are in audit_rows_test.go). TestAudit fails when a verdict changes and
// skips a row whose program is not installed (scripts/install-test-tools.sh
// installs them). With -audit-table it also writes testdata/audit/TABLE.md,
// the README's table, from what it found.

var auditTable = flag.Bool("audit-table", false, "write testdata/audit/TABLE.md from the audit's results")

// auditModels are the models every row is checked under, in table order.
var auditModels = []string{"process", "posix", "ext4-ordered"}

// auditWant is a row's expected verdict per model: "pass", or the labels
// of the invariants violated, space-separated in sorted order (an --file
// invariant by its own name, AtomicReplace(f); a --check by its label).
type auditWant struct{ process, posix, ext4 string }

func (w auditWant) of(model string) string {
	switch model {
	case "process":
		return w.process
	case "posix":
		return w.posix
	}
	return w.ext4
}

// auditCheck is one --check command and the short label its violations
// are known by in verdicts and in the table.
type auditCheck struct{ label, cmd string }

type auditRow struct {
	name      string // subtest name
	pkg       string // Debian package whose version the table gives ("" for ours)
	exe       string // executables the row needs on PATH, space-separated (default: command[0])
	does      string // what the command does, for the table
	setup     string // sh script run after auditCommonSetup, in the work directory
	flags     []string
	maxStates int // --max-states, 0 for the default
	recovers  []string
	checks    []auditCheck
	command   []string
	want      auditWant
	note      string // why, for the table
}

// auditCommonSetup makes every row's starting point: d/f, the file the
// programs replace, and new, its new content, next to d.
const auditCommonSetup = `mkdir -p d && printf 'old line 1\nold line 2\n' > d/f && printf 'new line 1\nnew line 2\nnew line 3\n' > new`

// args are the row's crashcheck arguments, after "crashcheck".
func (r auditRow) args() []string {
	a := []string{"run", "--dir", "d", "--model", "all"}
	if r.maxStates > 0 {
		a = append(a, "--max-states", strconv.Itoa(r.maxStates))
	}
	a = append(a, r.flags...)
	for _, c := range r.recovers {
		a = append(a, "--recover", c)
	}
	for _, c := range r.checks {
		a = append(a, "--check", c.cmd)
	}
	return append(append(a, "--"), r.command...)
}

// auditResult is what one row's run found.
type auditResult struct {
	row     auditRow
	version string
	verdict map[string]string   // model -> "pass" or labels
	first   map[string]auditHit // model -> its first violation
	states  int
	took    time.Duration
}

type auditHit struct {
	label, state string
	op           string // the last op before the crash ("" at point 0)
	timeline     []string
}

func TestAudit(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("crashcheck run mounts FUSE: needs root")
	}
	if ok, _ := runScriptCondition("fuse"); !ok {
		t.Skip("crashcheck run needs /dev/fuse")
	}
	if dir := atomicwriteBin(t); dir != "" {
		t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	var results []auditResult
	for _, row := range auditRows {
		t.Run(row.name, func(t *testing.T) {
			res, ok := runAuditRow(t, row)
			if ok {
				results = append(results, res)
			}
		})
	}
	if *auditTable {
		if len(results) != len(auditRows) {
			t.Fatalf("-audit-table: only %d of %d rows ran; not writing a partial table", len(results), len(auditRows))
		}
		path := filepath.Join("testdata", "audit", "TABLE.md")
		if err := os.WriteFile(path, renderAuditTable(results), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
	}
}

// runAuditRow runs one row's crashcheck line in a fresh directory and
// compares the verdicts; ok is false if the row was skipped or failed.
func runAuditRow(t *testing.T, row auditRow) (res auditResult, ok bool) {
	exes := strings.Fields(row.exe)
	if len(exes) == 0 {
		exes = []string{row.command[0]}
	}
	for _, exe := range exes {
		if _, err := exec.LookPath(exe); err != nil {
			t.Skipf("%s is not installed (package %s; see scripts/install-test-tools.sh)", exe, row.pkg)
		}
	}
	res = auditResult{row: row, version: "this commit"}
	if row.pkg != "" {
		out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", row.pkg).Output()
		if err != nil || len(out) == 0 {
			t.Skipf("package %s is not installed", row.pkg)
		}
		res.version = string(out)
	}
	auditData, err := filepath.Abs(filepath.Join("testdata", "audit"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	t.Chdir(work)
	setup := exec.Command("sh", "-c", auditCommonSetup+" && "+cmp(row.setup, "true"))
	setup.Env = append(os.Environ(), "AUDIT="+auditData)
	if out, err := setup.CombinedOutput(); err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	jsonPath := filepath.Join(work, "report.json")
	args := append(row.args()[:1:1], append([]string{"--json", jsonPath}, row.args()[1:]...)...)
	var stdout, stderr bytes.Buffer
	start := time.Now()
	status := Main(args, strings.NewReader(""), &stdout, &stderr)
	res.took = time.Since(start)
	if status == 2 {
		t.Fatalf("crashcheck %s: exit 2\n%s%s", shellLine(args), stdout.String(), stderr.String())
	}
	var rep jsonReport
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.CommandExit != 0 {
		t.Fatalf("the audited command exited %d, so its verdict says nothing:\n%s%s", rep.CommandExit, stdout.String(), stderr.String())
	}
	if rep.Interrupted || rep.ErrorRuns > 0 || rep.Ops == 0 {
		t.Fatalf("run not usable (interrupted %v, error runs %d, %d ops):\n%s", rep.Interrupted, rep.ErrorRuns, rep.Ops, stdout.String())
	}
	res.states = rep.States
	res.verdict, res.first = auditVerdicts(row, rep)
	ok = true
	for _, m := range auditModels {
		if got, want := res.verdict[m], row.want.of(m); got != want {
			t.Errorf("under %s: verdict %q, want %q", m, got, want)
			ok = false
		}
	}
	if !ok {
		t.Logf("reproduce in a directory set up by\n  %s\nwith\n  crashcheck %s\n%s", cmp(row.setup, "")+" "+auditCommonSetup, shellLine(row.args()), stdout.String())
	}
	t.Logf("%d states in %v", rep.States, res.took.Round(time.Millisecond))
	return res, ok
}

// auditVerdicts groups the report's violations by model into labels.
func auditVerdicts(row auditRow, rep jsonReport) (map[string]string, map[string]auditHit) {
	labels := map[string]string{}
	for _, c := range row.checks {
		labels[fmt.Sprintf("Check(%q)", c.cmd)] = c.label
	}
	for i, c := range row.recovers {
		labels[fmt.Sprintf("Recover(%q)", c)] = "recover" + strconv.Itoa(i+1)
	}
	sets := map[string][]string{}
	first := map[string]auditHit{}
	for _, v := range rep.Violations {
		label := v.Invariant
		if l, ok := labels[label]; ok {
			label = l
		}
		if !slices.Contains(sets[v.Model], label) {
			sets[v.Model] = append(sets[v.Model], label)
		}
		if _, ok := first[v.Model]; !ok {
			first[v.Model] = auditHit{label: label, state: v.State, op: v.Op, timeline: v.Timeline}
		}
	}
	verdict := map[string]string{}
	for _, m := range auditModels {
		if len(sets[m]) == 0 {
			verdict[m] = "pass"
			continue
		}
		slices.Sort(sets[m])
		verdict[m] = strings.Join(sets[m], " ")
	}
	return verdict, first
}

func cmp(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// shellLine quotes args for sh, as a person would type them.
func shellLine(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(shellQuote(a))
	}
	return b.String()
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
