//go:build unix

package scenarios_test

import (
	"bytes"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios"
)

// BenchmarkVerifyReplace measures scenarios.Verify of one durable replace
// (temp file written, fsynced, closed, renamed over the target, directory
// fsynced) of a file of each size, with every fault and every model. The
// error re-runs dominate: an error run must cost what it writes, not what
// Setup put on the disk, so B/op should grow with the size of the new
// content only.
//
//	go test -run '^$' -bench VerifyReplace -benchmem ./scenarios
func BenchmarkVerifyReplace(b *testing.B) {
	for _, size := range []int{1 << 10, 1 << 20, 64 << 20} {
		b.Run(sizeName(size), func(b *testing.B) {
			old := bytes.Repeat([]byte{'o'}, size)
			new := bytes.Repeat([]byte{'n'}, size)
			spec := scenarios.Spec{
				Name:  "replace",
				Setup: func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "target", old, 0o644) },
				Run:   func(fsys faultfs.FS) error { return replaceDurably(fsys, "target", new) },
				Invariants: []scenarios.Invariant{
					scenarios.AtomicReplace("target"), scenarios.Durable("target"), scenarios.NoLeftovers("."),
				},
			}
			b.ReportAllocs()
			states, runs := 0, 0
			cpu0 := cpuTime()
			for b.Loop() {
				rep, err := scenarios.Verify(spec)
				if err != nil {
					b.Fatal(err)
				}
				if !rep.OK() {
					b.Fatalf("%s", rep)
				}
				states += rep.States
				runs += 1 + rep.ErrorRuns
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			b.ReportMetric(float64(runs)/float64(b.N), "runs/op")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime returns the CPU time the process has used, user and system, in
// nanoseconds: on a loaded machine a figure steadier than the wall clock
// (it counts the garbage collector's work on other cores too).
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// sizeName prints a byte count as the benchmarks name it: 1KiB, 64MiB.
func sizeName(n int) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// replaceDurably replaces name with data the durable way, removing its
// temp file when it fails.
func replaceDurably(fsys faultfs.FS, name string, data []byte) (err error) {
	tmp := name + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			fsys.Remove(tmp)
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fsys.Rename(tmp, name)
	}
	if err != nil {
		return err
	}
	d, err := fsys.Open(".")
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
