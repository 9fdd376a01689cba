package scenarios

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"pgregory.net/rapid"
)

// TestReportCoverage: the summary says how the states were explored, as
// it was: every state of a small run ("exhaustive"), a sample of a point
// with more states than MaxStates ("sampled"), or states left unchecked
// because every invariant had already failed ("stopped early").
func TestReportCoverage(t *testing.T) {
	passes := Invariant{Name: "passes", Check: func(*Situation) error { return nil }}
	fails := Invariant{Name: "fails", Check: func(s *Situation) error {
		if s.Kind == AfterCrash {
			return fmt.Errorf("always")
		}
		return nil
	}}
	// Ten unsynced directories: 1024 states at the last points under
	// posix.
	h := func() *faultfs.History {
		m := faultfs.NewMem()
		m.MakeDurable()
		for i := range 10 {
			m.Mkdir(fmt.Sprint("d", i), 0o755)
		}
		return m.History()
	}()
	for _, tc := range []struct {
		name string
		opt  HistoryOptions
		want string
		ex   bool
	}{
		{"exhaustive", HistoryOptions{Invariants: []Invariant{passes}}, "(exhaustive)", true},
		{"sampled", HistoryOptions{Invariants: []Invariant{passes}, MaxStates: 16}, "(sampled)", false},
		{"stopped", HistoryOptions{Invariants: []Invariant{fails}}, "(stopped early: every invariant already failed)", true},
		{"both", HistoryOptions{Invariants: []Invariant{passes, fails}, MaxStates: 16}, "(sampled)", false},
	} {
		rep := CheckHistory(h, tc.opt)
		if !strings.Contains(rep.String(), tc.want) || rep.Exhaustive != tc.ex || rep.JSON().Coverage != rep.Coverage() {
			t.Errorf("%s: Exhaustive %v, want %v; summary %q, want %s", tc.name, rep.Exhaustive, tc.ex, rep.Summary(), tc.want)
		}
		if n := len(faultfs.DefaultModels()); tc.name == "stopped" && (!rep.StoppedEarly || rep.States != n) {
			t.Errorf("stopped: StoppedEarly %v after %d states, want true after %d (one per default model)", rep.StoppedEarly, rep.States, n)
		}
	}
}

// TestReportReadsWell: a report without a name has one, absent files are
// "absent" without a stray separator, modes are octal (set-id bits
// included), and drawn values print as reports print them: modes in
// octal, contents as their size and first bytes.
func TestReportReadsWell(t *testing.T) {
	rep, err := Verify(Spec{
		Setup: func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "f", []byte("old"), fs.ModeSetuid|0o755) },
		Run: func(fsys faultfs.FS) error {
			if err := fsys.Remove("f"); err != nil {
				return err
			}
			return faultfs.WriteFile(fsys, "f", []byte("new"), 0o644)
		},
		Invariants: []Invariant{AtomicReplace("f"), ModeIs("f", fs.ModeSetuid|0o755)},
		Models:     []faultfs.Model{faultfs.Process},
		NoErrors:   true,
	})
	if err != nil {
		t.Fatal(err)
	}
	text := rep.String()
	for _, want := range []string{
		"unnamed spec: ",
		`f is absent: neither the old content (3 bytes "old", mode 4755) nor the new (3 bytes "new", mode 0644)`,
		"VIOLATION ModeIs(f, 4755)",
		"f holds the new content with mode 0644, not 4755",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	for _, bad := range []string{"; )", "holds absent", "-rw", "urwx"} {
		if strings.Contains(text, bad) {
			t.Errorf("report holds %q:\n%s", bad, text)
		}
	}
	for b, want := range map[string]string{
		"":                                 `0 bytes ""`,
		"N":                                `1 byte "N"`,
		strings.Repeat("ab", 20):           `40 bytes "abababababababababababab"...`,
		string(bytes.Repeat([]byte{0}, 3)): `3 bytes "\x00\x00\x00"`,
	} {
		if got := fmt.Sprintf("%#v", Bytes(b)); got != want {
			t.Errorf("%%#v of Bytes(%q) = %s, want %s", b, got, want)
		}
	}
	for m, want := range map[Mode]string{
		0o644:                       "0644",
		0o600:                       "0600",
		Mode(fs.ModeSetuid | 0o755): "4755",
		Mode(fs.ModeSetgid | 0o750): "2750",
		Mode(fs.ModeSticky | 0o777): "1777",
	} {
		if got, gotV := fmt.Sprintf("%#v", m), fmt.Sprint(m); got != want || gotV != want {
			t.Errorf("Mode %o: %%#v %s and %%v %s, want %s for both", uint32(m), got, gotV, want)
		}
	}
	// Drawn values as rapid logs them when it replays a shrunk failure
	// (torture and replay reports show these lines): the mode in octal,
	// the content as its size and first bytes.
	noFailFiles(t)
	res := RapidCheck(RapidOptions{Name: "drawn", Seed: 5, Checks: 100}, func(rt *rapid.T) {
		mode := Perm().Draw(rt, "mode")
		data := Content(100, 'N').Draw(rt, "data")
		if fs.FileMode(mode)&fs.ModeSetuid != 0 && len(data) > 0 {
			rt.Fatalf("setuid and not empty")
		}
	})
	draws := strings.Join(res.Draws(), "\n")
	if !res.Failed {
		t.Fatalf("the property did not fail; logs:\n%s", strings.Join(res.Logs, "\n"))
	}
	for _, want := range []string{"mode: 4755", `data: 1 byte "N"`} {
		if !strings.Contains(draws, want) {
			t.Errorf("draws lack %q:\n%s", want, draws)
		}
	}
	for _, bad := range []string{"0x", "[]byte", "FileMode"} {
		if strings.Contains(draws, bad) {
			t.Errorf("draws hold %q:\n%s", bad, draws)
		}
	}
}

// TestCheckLogsSummary: Check logs its one-line summary on success, and
// a spec without a name is named after the test.
func TestCheckLogsSummary(t *testing.T) {
	ft := &logTB{failTB: failTB{TB: t}}
	Check(ft, Spec{
		Setup:      func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "f", []byte("old"), 0o644) },
		Run:        func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "g", []byte("new"), 0o644) },
		Invariants: []Invariant{AtomicReplace("f")},
	})
	if ft.msg != "" || len(ft.logs) != 1 || !strings.HasPrefix(ft.logs[0], "TestSave/big_file: ") || !strings.HasSuffix(ft.logs[0], ": ok") {
		t.Errorf("logged %q, failed with %q; want one summary line ending in ok", ft.logs, ft.msg)
	}
}

// logTB is a failTB that records what is logged.
type logTB struct {
	failTB
	logs []string
}

func (l *logTB) Log(args ...any) { l.logs = append(l.logs, fmt.Sprint(args...)) }

// TestPackageDir: the replay line's directory is the test's package
// directory relative to the module root.
func TestPackageDir(t *testing.T) {
	if got := packageDir(); got != "./scenarios" {
		t.Errorf("packageDir() = %q, want ./scenarios", got)
	}
	t.Chdir(t.TempDir()) // no go.mod above
	if _, err := os.Stat("/go.mod"); err == nil {
		t.Skip("a go.mod at /")
	}
	if got := packageDir(); got != "." {
		t.Errorf("outside a module: packageDir() = %q, want .", got)
	}
}
