//go:build linux

// Package peakrss reads and resets the process's peak resident set size,
// for benchmarks that report the memory a workload needed as a metric
// (testing.B.ReportMetric). It reads /proc/self/status (VmHWM, VmRSS) and
// resets the peak through /proc/self/clear_refs (Linux 4.0 and later);
// it is Linux only.
//
// The peak is the process's: everything it holds counts, the Go runtime's
// heap not yet returned to the kernel included, so a benchmark collects
// garbage and frees it (Settle) before it resets the peak.
package peakrss

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// Settle collects garbage and returns the freed memory to the kernel, so
// that what is resident afterwards is what is still live.
func Settle() { debug.FreeOSMemory() }

// Reset makes the peak resident size the current resident size.
func Reset() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// Peak returns the process's peak resident size in bytes (VmHWM) since it
// started or since the last Reset.
func Peak() (int64, error) { return status("VmHWM:") }

// Current returns the process's resident size in bytes (VmRSS).
func Current() (int64, error) { return status("VmRSS:") }

// status returns the value of a line of /proc/self/status given in kB.
func status(field string) (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte(field))
		if !ok {
			continue
		}
		kb, ok := bytes.CutSuffix(bytes.TrimSpace(rest), []byte(" kB"))
		if !ok {
			break
		}
		n, err := strconv.ParseInt(string(kb), 10, 64)
		if err != nil {
			break
		}
		return n << 10, nil
	}
	return 0, fmt.Errorf("/proc/self/status: no %s line in kB", field)
}

// Size is an amount of data a memory benchmark writes.
type Size struct {
	Name string // as in a sub-benchmark's name: "64MiB"
	MiB  int
}

// Sizes are what the memory benchmarks write. Only the first runs unless
// a larger one is selected by name (Selected).
var Sizes = []Size{{"64MiB", 64}, {"1GiB", 1 << 10}, {"10GiB", 10 << 10}}

// Skip skips b, saying how to select it, if size is not the first of Sizes
// and the -test.bench pattern does not name it: a costly size runs only
// when asked for.
func Skip(b *testing.B, size Size) {
	b.Helper()
	if size.MiB <= Sizes[0].MiB {
		return
	}
	if f := flag.Lookup("test.bench"); f == nil || !strings.Contains(f.Value.String(), size.Name) {
		b.Skipf("skipping: writes %s; select it by name (-bench '%s')", size.Name, b.Name())
	}
}

// Measure runs work, with b's timer running for it alone, and returns the
// process's peak resident size while it ran and its resident size after
// it, garbage collected, in bytes.
func Measure(b *testing.B, work func()) (peak, after int64) {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	Settle()
	if err := Reset(); err != nil {
		b.Skipf("skipping: %v", err)
	}
	b.StartTimer()
	work()
	b.StopTimer()
	peak, err := Peak()
	if err != nil {
		b.Fatal(err)
	}
	Settle()
	after, err = Current()
	if err != nil {
		b.Fatal(err)
	}
	return peak, after
}

// Report reports the largest peak and after of b's iterations as
// peak-RSS-MiB and RSS-MiB.
func Report(b *testing.B, peak, after int64) {
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(after)/(1<<20), "RSS-MiB")
}
