package scenarios

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// Check runs Verify(spec) and fails t with the report if an invariant was
// violated (or the spec is broken or tests nothing). It logs the report's
// one-line summary with t.Log (shown by go test -v), and a failed report
// ends with the go test command, run from the module's root, that replays
// it: Verify is deterministic, so the same test fails the same way. A spec
// without a Name is named after the test.
func Check(t testing.TB, spec Spec) *Report {
	t.Helper()
	if spec.Name == "" {
		spec.Name = t.Name()
	}
	rep, err := Verify(spec)
	return reportToTest(t, rep, err)
}

// reportToTest is how Check and CheckDir report to t: err (a broken
// spec) or a violation fails it, a failed report (its summary first)
// ends with its replay line, and a passing one logs its summary.
func reportToTest(t testing.TB, rep *Report, err error) *Report {
	t.Helper()
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	if !rep.OK() {
		// The report's first line is its summary: printed once.
		t.Fatalf("%s%s", rep, replayLine(t.Name(), packageDir()))
	}
	t.Log(rep.Summary())
	return rep
}

// CheckT is Check for a rapid property: inputs drawn from t shrink to the
// smallest that still fails, and rapid prints the flags that replay it.
// The report is logged, so that it is printed once, with the minimal
// input's draws before it; the failure itself is the summary line (rapid
// prints a failure twice: when it finds it and when it replays it).
func CheckT(t *rapid.T, spec Spec) *Report {
	t.Helper()
	rep, err := Verify(spec)
	return reportToRapid(t, rep, err)
}

// reportToRapid is how CheckT and CheckDirT report to t: err or a
// violation fails it, a failed report is logged and its summary is the
// failure.
func reportToRapid(t *rapid.T, rep *Report, err error) *Report {
	t.Helper()
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	if !rep.OK() {
		t.Log(strings.TrimSuffix(rep.String(), "\n"))
		t.Fatalf("%s", rep.Summary())
	}
	return rep
}

// replayLine is the command that runs just the named test (and subtest)
// of the package in dir (relative to the module's root) again.
func replayLine(name, dir string) string {
	if name == "" {
		return ""
	}
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return "replay: go test -run '" + strings.Join(parts, "/") + "' " + dir + "\n"
}

// packageDir returns the directory of the package under test relative to
// its module's root ("./scenarios/suite"), or "." when it cannot tell: go
// test runs a test binary in its package's directory, and the module's
// root is the nearest directory above it holding a go.mod.
func packageDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			if err != nil || rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		if filepath.Dir(dir) == dir {
			return "."
		}
	}
}
