package scenarios

import (
	"testing"

	"pgregory.net/rapid"
)

// Check runs Verify(spec) and fails t with the report if an invariant was
// violated (or the spec is broken).
func Check(t testing.TB, spec Spec) *Report {
	t.Helper()
	return check(t, spec)
}

// CheckT is Check for a rapid property: inputs drawn from t shrink to the
// smallest that still fails.
func CheckT(t *rapid.T, spec Spec) *Report {
	t.Helper()
	return check(t, spec)
}

// tb is what Check needs of testing.TB and *rapid.T alike.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

func check(t tb, spec Spec) *Report {
	t.Helper()
	rep, err := Verify(spec)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	if !rep.OK() {
		t.Fatalf("%s", rep)
	}
	return rep
}
