//go:build linux

package cli

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/fuse"
	"github.com/crashcheck/crashcheck/scenarios"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestRunReportsLikeCheck: one bug, one report. A file rewritten in place
// and never fsynced (truncated, then written: what `printf new > f` does)
// is checked for atomicity and durability once as a Go Run by
// scenarios.Check and once as a shell command by crashcheck run --file
// --durable; after their summary lines both print the same report, byte
// for byte (NOT TESTED lines, violations: invariant, crash point, model,
// detail, state and disk operations; blank lines and separators too),
// pinned by testdata/run_like_check.golden, and they count the same ops,
// crash points, states and coverage.
func TestRunReportsLikeCheck(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("crashcheck run mounts FUSE with mount(2): needs root")
	}
	if err := fuse.Available(); err != nil {
		t.Skipf("crashcheck run needs FUSE: %v", err)
	}
	posix, err := faultfs.ParseModel("posix")
	if err != nil {
		t.Fatal(err)
	}

	// Library mode: the same operations the FUSE server records for the
	// shell's redirect (OPEN, then SETATTR size=0 on its handle, FLUSH of
	// the descriptor the shell dup2s onto stdout and closes, WRITE, FLUSH
	// and RELEASE at exit).
	spec := scenarios.Spec{
		Name: "printf new > f",
		Setup: func(fsys faultfs.FS) error {
			return faultfs.WriteFile(fsys, "f", []byte("old\n"), 0o644)
		},
		Run: func(fsys faultfs.FS) error {
			f, err := fsys.OpenFile("f", os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			if err := f.Truncate(0); err != nil {
				f.Close()
				return err
			}
			if err := f.(faultfs.DescriptorCloser).CloseDescriptor(); err != nil {
				f.Close()
				return err
			}
			if _, err := f.Write([]byte("new")); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		},
		Models:     []faultfs.Model{posix},
		Invariants: []scenarios.Invariant{scenarios.AtomicReplace("f"), scenarios.Durable("f")},
		NoErrors:   true, // run has no error runs
	}
	tb := &fatalRecorder{TB: t}
	scenarios.Check(tb, spec)
	if !tb.failed {
		t.Fatal("scenarios.Check passed an in-place rewrite")
	}
	lib := tb.msg

	// Black-box mode: the shell does it through the mount.
	d := filepath.Join(t.TempDir(), "d")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "f"), []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(d, "f"), 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main([]string{"run", "--dir", d, "--model", "posix", "--file", "f", "--durable", "--", "sh", "-c", "printf new > f"},
		strings.NewReader(""), &stdout, &stderr)
	if code != 1 {
		t.Fatalf("crashcheck run exited %d, want 1 (a violation)\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	run := stdout.String()

	libBody, runBody := afterSummary(t, lib), afterSummary(t, run)
	libBody = stripReplay(t, libBody)
	if !strings.Contains(libBody, "VIOLATION ") {
		t.Fatalf("no VIOLATION in scenarios.Check's report:\n%s", lib)
	}
	if libBody != runBody {
		t.Errorf("the reports differ after their summary lines\nscenarios.Check:\n%s\ncrashcheck run:\n%s", libBody, runBody)
	}
	if libF, runF := figures(t, lib), figures(t, run); libF != runF {
		t.Errorf("scenarios.Check counts %s, crashcheck run %s", libF, runF)
	}
	golden(t, "testdata/run_like_check.golden", runBody)
}

// afterSummary is a report without its first line (each front end prints
// its own summary there): everything else, blank lines included.
func afterSummary(t *testing.T, report string) string {
	t.Helper()
	_, rest, ok := strings.Cut(report, "\n")
	if !ok {
		t.Fatalf("a report of one line:\n%s", report)
	}
	return rest
}

// stripReplay removes the replay line scenarios.Check ends a failure with
// (run has no test to replay).
func stripReplay(t *testing.T, report string) string {
	t.Helper()
	i := strings.LastIndex(report, "replay: go test ")
	if i < 0 || !strings.HasSuffix(report, "\n") || strings.Contains(report[i:len(report)-1], "\n") {
		t.Fatalf("scenarios.Check's report does not end with a replay line:\n%s", report)
	}
	return report[:i]
}

// fatalRecorder is a testing.TB whose Fatalf records the message instead
// of failing the test.
type fatalRecorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
}

// figuresRE finds the counts in either summary line:
// "3 ops, 4 crash points, 3 crash states (exhaustive)" (scenarios) or
// "3 ops, 4 crash points, 3 states (exhaustive)" (run).
var figuresRE = regexp.MustCompile(`(\d+) ops, (\d+) crash points, (\d+) (?:crash )?states \(([^)]+)\)`)

func figures(t *testing.T, report string) string {
	t.Helper()
	m := figuresRE.FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("no summary line with ops, crash points and states in:\n%s", report)
	}
	return fmt.Sprintf("%s ops, %s crash points, %s states (%s)", m[1], m[2], m[3], m[4])
}

// golden compares got with the golden file, or rewrites it with -update.
func golden(t *testing.T, file, got string) {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("report differs from %s (go test -run %s -update rewrites it)\ngot:\n%s\nwant:\n%s", file, t.Name(), got, want)
	}
}
