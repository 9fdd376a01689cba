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
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
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
