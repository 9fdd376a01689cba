package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// failTB records what Check reports instead of failing the test.
type failTB struct {
	testing.TB
	msg string
}

func (f *failTB) Helper()      {}
func (f *failTB) Name() string { return "TestSave/big_file" }
func (f *failTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
}

// TestCheckEndsWithReplay: a failing Check prints the report and, last,
// the go test command that runs the failing (sub)test again.
func TestCheckEndsWithReplay(t *testing.T) {
	ft := &failTB{TB: t}
	Check(ft, Spec{
		Name:       "in-place",
		Setup:      func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "f", []byte("old"), 0o644) },
		Run:        func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "f", []byte("new"), 0o644) },
		Invariants: []Invariant{AtomicReplace("f")},
		NoErrors:   true,
	})
	if !strings.Contains(ft.msg, "VIOLATION AtomicReplace(f)") {
		t.Fatalf("Check reported no violation of an in-place rewrite:\n%s", ft.msg)
	}
	const want = "replay: go test -run '^TestSave$/^big_file$' ./scenarios\n"
	if !strings.HasSuffix(ft.msg, want) {
		t.Errorf("report does not end with %q:\n%s", want, ft.msg)
	}
}
