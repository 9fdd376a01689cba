package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// TestNoSilentPass: a spec that cannot test anything is an error, with a
// message that says why, not a pass.
func TestNoSilentPass(t *testing.T) {
	setup := func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "config.json", []byte("{}"), 0o644) }
	save := func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "config.json", []byte(`{"a":1}`), 0o644) }
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		spec Spec
		want string
	}{
		{"os directly", Spec{Setup: setup, Invariants: []Invariant{AtomicReplace("config.json")},
			Run: func(faultfs.FS) error { return os.WriteFile(filepath.Join(dir, "config.json"), []byte("{}"), 0o644) }},
			"Run made no operation on the filesystem it was given (does it use package os directly?)"},
		{"no invariants", Spec{Setup: setup, Run: save}, "no Invariants: nothing would be checked"},
		{"no run", Spec{Setup: setup, Invariants: []Invariant{AtomicReplace("config.json")}}, "no Run"},
		{"typo", Spec{Setup: setup, Run: save, Invariants: []Invariant{AtomicReplace("config.json"), Durable("cofnig.json")}},
			"Durable(cofnig.json): cofnig.json exists in no state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Verify(tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Verify = %v, %v; want an error saying %q", rep, err, tc.want)
			}
			ft := &failTB{TB: t}
			if Check(ft, tc.spec); !strings.Contains(ft.msg, tc.want) {
				t.Errorf("Check failed with %q, want %q", ft.msg, tc.want)
			}
		})
	}
	// A path that only the crash states hold counts: here a file that
	// Run creates and removes, which a crash may leave.
	Check(t, Spec{Run: func(fsys faultfs.FS) error {
		if err := faultfs.WriteFile(fsys, "scratch", []byte("x"), 0o644); err != nil {
			return err
		}
		return fsys.Remove("scratch")
	}, Invariants: []Invariant{Holds("nothing", func(faultfs.FS) error { return nil }), ModeIs("scratch", 0o644)}, NoErrors: true})
}

// TestCheckHistoryUntested: CheckHistory reports what it could not test
// in the report, and its text says so.
func TestCheckHistoryUntested(t *testing.T) {
	rep := CheckHistory(recordInPlace(t), HistoryOptions{Invariants: []Invariant{AtomicReplace("g")}})
	if len(rep.Untested) != 1 || !strings.Contains(rep.String(), "NOT TESTED: AtomicReplace(g): g exists in no state") {
		t.Errorf("Untested = %q\n%s", rep.Untested, rep)
	}
	if rep := CheckHistory(recordInPlace(t), HistoryOptions{}); !strings.Contains(rep.String(), "NOT TESTED: there are no invariants") {
		t.Errorf("a check without invariants:\n%s", rep)
	}
	if rep := CheckHistory(recordInPlace(t), HistoryOptions{Invariants: []Invariant{AtomicReplace("f")}}); len(rep.Untested) != 0 {
		t.Errorf("Untested = %q for a path that exists", rep.Untested)
	}
}
