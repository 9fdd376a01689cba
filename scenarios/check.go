package scenarios

import (
	"regexp"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// Check runs Verify(spec) and fails t with the report if an invariant was
// violated (or the spec is broken). The report ends with the go test
// command that replays it: Verify is deterministic, so the same test
// fails the same way.
func Check(t testing.TB, spec Spec) *Report {
	t.Helper()
	return check(t, spec, replayLine(t.Name()))
}

// CheckT is Check for a rapid property: inputs drawn from t shrink to the
// smallest that still fails, and rapid prints the flags that replay it.
func CheckT(t *rapid.T, spec Spec) *Report {
	t.Helper()
	return check(t, spec, "")
}

// tb is what Check needs of testing.TB and *rapid.T alike.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

func check(t tb, spec Spec, replay string) *Report {
	t.Helper()
	rep, err := Verify(spec)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	if !rep.OK() {
		t.Fatalf("%s%s", rep, replay)
	}
	return rep
}

// replayLine is the command that runs just the named test (and subtest)
// of the current package again.
func replayLine(name string) string {
	if name == "" {
		return ""
	}
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return "replay: go test -run '" + strings.Join(parts, "/") + "' .\n"
}
