//go:build linux

package scenarios

import (
	"bytes"
	"path/filepath"
	"testing"
)

// BenchmarkCheckDir measures a CheckDir of the durable replace in plain
// os code (replaceDurably) of a 1 KiB file, with every default errno and
// model: one mount, Setup, the fault-free run and every error run, each
// through the kernel. runs/op is the runs of Run (the fault-free one and
// the error runs) per check, so ns/op divided by it is what one run
// through the mount costs, its checking included.
//
//	go test -run '^$' -bench CheckDir ./scenarios
func BenchmarkCheckDir(b *testing.B) {
	if err := CheckDirAvailable(); err != nil {
		b.Skipf("skipping: %v", err)
	}
	data := bytes.Repeat([]byte{'n'}, 1<<10)
	spec := DirSpec{
		Name:       "replace",
		Setup:      oldConfig,
		Run:        func(dir string) error { return replaceDurably(filepath.Join(dir, "config.json"), data) },
		Invariants: []Invariant{AtomicReplace("config.json"), Durable("config.json"), NoLeftovers(".")},
	}
	runs := 0
	for b.Loop() {
		rep, err := verifyDir(spec)
		if err != nil {
			b.Fatal(err)
		}
		if !rep.OK() {
			b.Fatalf("%s", rep)
		}
		runs += 1 + rep.ErrorRuns
	}
	b.ReportMetric(float64(runs)/float64(b.N), "runs/op")
}
