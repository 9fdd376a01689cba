//go:build linux

package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTortureInterrupted: SIGINT during a campaign prints the summary of
// the cases finished so far, writes the -json report of those cases marked
// interrupted, with the seed in both, and exits 130.
func TestTortureInterrupted(t *testing.T) {
	bin, err := exec.LookPath("crashcheck") // put on PATH by testscript.Main
	if err != nil {
		t.Fatalf("the crashcheck command is not on PATH: %v", err)
	}
	tests := []struct {
		name string
		args []string
		// wait for this many case lines matching caseLine before SIGINT
		caseLine *regexp.Regexp
		cases    int
		verdict  *regexp.Regexp
		violated bool
	}{
		{
			name:     "passing",
			args:     []string{"-scenario", "writer", "-model", "process"},
			caseLine: regexp.MustCompile(`^case [0-9]+ of writer \(case seed [0-9]+\): ok$`),
			cases:    3,
			verdict:  regexp.MustCompile(`(?m)^crashcheck torture: INTERRUPTED: [0-9]+ cases of writer checked under process against [0-9]+ invariants \(.*\): no violation so far\n\z`),
		},
		{
			name:     "failing",
			args:     []string{"-scenario", "zoo/truncate-in-place", "-model", "process", "-keep-going"},
			caseLine: regexp.MustCompile(`^case [0-9]+ of zoo/truncate-in-place \(case seed [0-9]+\): VIOLATION$`),
			cases:    1,
			verdict:  regexp.MustCompile(`(?m)^crashcheck torture: FAIL: [0-9]+ cases? of zoo/truncate-in-place checked under process .*: [0-9]+ failing cases? \(case [0-9]+ of zoo/truncate-in-place.*\), reported on stdout; expected: .*\n\z`),
			violated: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report := filepath.Join(t.TempDir(), "r.json")
			args := append([]string{"torture", "-duration", "1h", "-seed", "77", "-workers", "1", "-v", "-json", report}, tt.args...)
			cmd := exec.Command(bin, args...)
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			pipe, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill() }) // a no-op once it has exited

			var stderr strings.Builder
			lines := bufio.NewScanner(pipe)
			seen, casesLogged, signalled := 0, 0, time.Time{}
			watchdog := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
			defer watchdog.Stop()
			for lines.Scan() {
				l := lines.Text()
				stderr.WriteString(l + "\n")
				if strings.HasPrefix(l, "case ") {
					casesLogged++
				}
				if tt.caseLine.MatchString(l) {
					seen++
				}
				if seen >= tt.cases && signalled.IsZero() {
					if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
						t.Fatal(err)
					}
					signalled = time.Now()
				}
			}
			err = cmd.Wait()
			if signalled.IsZero() {
				t.Fatalf("the campaign ended before %d cases matched %q: %v\n%s", tt.cases, tt.caseLine, err, stderr.String())
			}
			if d := time.Since(signalled); d > 30*time.Second {
				t.Errorf("the campaign took %v to stop after SIGINT", d)
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 130 {
				t.Fatalf("exit %v, want status 130\n%s", err, stderr.String())
			}
			out := stderr.String()
			for _, want := range []*regexp.Regexp{
				regexp.MustCompile(`(?m)^crashcheck torture: SIGINT: stopping`),
				regexp.MustCompile(`(?m)^crashcheck torture: seed 77: [0-9]+ cases? \(0 skipped\), `),
				regexp.MustCompile(`(?m)^crashcheck torture: interrupted by SIGINT: the [0-9]+ cases? finished are reported above, those running were dropped$`),
				tt.verdict,
			} {
				if !want.MatchString(out) {
					t.Errorf("stderr does not match %q:\n%s", want, out)
				}
			}

			var rep jsonCampaign
			b, err := os.ReadFile(report)
			if err != nil {
				t.Fatalf("no JSON report after SIGINT: %v", err)
			}
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			if !rep.Interrupted || rep.Seed != 77 {
				t.Errorf("report has interrupted %v and seed %d, want true and 77", rep.Interrupted, rep.Seed)
			}
			// Every case the report counts finished and was logged; the
			// ones cancelled by the signal are in neither.
			if rep.Runs != casesLogged || rep.Runs < tt.cases {
				t.Errorf("report counts %d cases, %d were logged, want the same and at least %d", rep.Runs, casesLogged, tt.cases)
			}
			if got := len(rep.Violations) > 0; got != tt.violated {
				t.Errorf("report has %d violations, want some: %v", len(rep.Violations), tt.violated)
			}
			if tt.violated != strings.Contains(stdout.String(), "=== case ") {
				t.Errorf("stdout has the failing cases: %v, want %v:\n%s", !tt.violated, tt.violated, stdout.String())
			}
		})
	}
}
