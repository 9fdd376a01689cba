//go:build linux

package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs/fuse"
)

// benchRun runs `crashcheck run` b.N times on a workload that writes eight
// files without any fsync (so every crash point has many states) and
// reports crash states checked per second of the whole command: mount,
// COMMAND, enumeration and checks.
func benchRun(b *testing.B, extra ...string) {
	if os.Geteuid() != 0 {
		b.Skip("crashcheck run mounts FUSE with mount(2): needs root")
	}
	if err := fuse.Available(); err != nil {
		b.Skipf("crashcheck run needs FUSE: %v", err)
	}
	dir := b.TempDir()
	tree := filepath.Join(dir, "tree")
	if err := os.MkdirAll(tree, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tree, "f"), []byte("old\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	report := filepath.Join(dir, "report.json")
	script := `for i in 1 2 3 4 5 6 7; do echo $i > g$i; done; echo new > f`
	args := append([]string{"run", "--dir", tree, "--model", "posix", "--file", "f", "--json", report}, extra...)
	args = append(args, "--", "sh", "-c", script)
	states := 0
	b.ResetTimer()
	for b.Loop() {
		code := crashcheck(args, strings.NewReader(""), io.Discard, io.Discard)
		if code != 1 { // `echo new > f` truncates in place: a violation
			b.Fatalf("crashcheck run exited %d, want 1", code)
		}
		var rep jsonReport
		raw, err := os.ReadFile(report)
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(raw, &rep); err != nil {
			b.Fatal(err)
		}
		states += rep.States
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
}

// BenchmarkRunFile: states checked per second with --file (checked in
// memory). Target: at least 10,000/s.
func BenchmarkRunFile(b *testing.B) { benchRun(b) }

// BenchmarkRunCheckTrue: states checked per second with a --check command,
// each state served at the mount. Target: at least 200/s.
func BenchmarkRunCheckTrue(b *testing.B) { benchRun(b, "--check", "true", "--max-states", "64") }
