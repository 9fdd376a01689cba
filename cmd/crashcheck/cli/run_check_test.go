//go:build linux

package cli

import (
	"os"
	"slices"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// rewriteInPlace records f rewritten in place, never fsynced: old\n, then
// truncated, then new\n.
func rewriteInPlace(t *testing.T) *faultfs.History {
	t.Helper()
	mem := faultfs.NewMem()
	if err := faultfs.WriteFile(mem, "f", []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mem.MakeDurable()
	f, err := mem.OpenFile("f", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("new\n")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return mem.History()
}

// TestRunCheck: what run's flags and COMMAND's outcome make of a recorded
// run, checked in memory (no --check command, so nothing is mounted).
func TestRunCheck(t *testing.T) {
	posix, err := faultfs.ParseModel("posix")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		durable     bool
		exit        int
		note        string
		interrupted bool
		want        []string // invariants violated, in report order
	}{
		{"atomic only", false, 0, "", false, []string{"AtomicReplace(f)"}},
		{"durable after exit 0", true, 0, "", false, []string{"AtomicReplace(f)", "Durable(f)"}},
		// A COMMAND that failed promised nothing: Durable does not apply.
		{"durable after exit 1", true, 1, "", false, []string{"AtomicReplace(f)"}},
		{"durable after a timeout", true, -1, "timed out after 1s; killed with its process group", false, []string{"AtomicReplace(f)"}},
		// A signal stops the check before the first state.
		{"interrupted", true, 0, "", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &runner{
				cfg:         &runConfig{models: []faultfs.Model{posix}, files: []string{"f"}, durable: tt.durable, maxStates: faultfs.DefaultMaxStates},
				commandExit: tt.exit, commandNote: tt.note, commandExitedOK: tt.exit == 0 && tt.note == "",
			}
			if tt.interrupted {
				r.interrupted = os.Interrupt
			}
			rep := r.check(rewriteInPlace(t))
			var got []string
			for _, v := range rep.Violations {
				got = append(got, v.Invariant)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("violations of %v, want %v\n%s", got, tt.want, rep)
			}
			if rep.Interrupted != tt.interrupted {
				t.Errorf("Interrupted %v, want %v", rep.Interrupted, tt.interrupted)
			}
			if tt.interrupted && rep.States != 0 {
				t.Errorf("%d states checked after the signal, want 0", rep.States)
			}
		})
	}
}

// TestCommandOutcome: how run names COMMAND's end, in its summary line and
// as the RunErr the invariants see.
func TestCommandOutcome(t *testing.T) {
	tests := []struct {
		exit int
		note string
		want string
	}{
		{0, "", "COMMAND exited 0"},
		{3, "", "COMMAND exited 3"},
		{-1, "did not start: permission denied", "COMMAND did not start: permission denied"},
		{-1, "timed out after 1s; killed with its process group", "COMMAND timed out after 1s; killed with its process group"},
	}
	for _, tt := range tests {
		r := &runner{commandExit: tt.exit, commandNote: tt.note}
		if got := r.commandOutcome(); got != tt.want {
			t.Errorf("exit %d note %q: %q, want %q", tt.exit, tt.note, got, tt.want)
		}
	}
}
