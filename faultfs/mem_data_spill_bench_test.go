//go:build linux

package faultfs

import (
	"flag"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs/internal/peakrss"
)

// BenchmarkMemWriteRSS writes a file in 1 MiB writes into a fresh Mem,
// with no data budget (heap: all of it in the Go heap) and with the
// default budget (spill), and reports the peak resident size of the
// process while it did (peak-RSS-MiB, the largest of all iterations), and
// what stayed resident after (RSS-MiB). Only the smallest size runs
// unless a larger is selected by name (-bench 'MemWriteRSS/spill/10GiB').
func BenchmarkMemWriteRSS(b *testing.B) {
	const piece = 1 << 20
	data := make([]byte, piece)
	for i := range data {
		data[i] = byte(i*7 + 1)
	}
	for _, budget := range []struct {
		name  string
		bytes int64
	}{{"heap", -1}, {"spill", defaultDataBudget}} {
		for i, size := range []struct {
			name string
			mib  int
		}{{"64MiB", 64}, {"1GiB", 1 << 10}, {"10GiB", 10 << 10}} {
			b.Run(budget.name+"/"+size.name, func(b *testing.B) {
				if i > 0 && !benchSelects(size.name) {
					b.Skipf("skipping: writes %s; select it by name (-bench 'MemWriteRSS/%s/%s')", size.name, budget.name, size.name)
				}
				b.SetBytes(int64(size.mib) << 20)
				var peak, after int64
				for b.Loop() {
					b.StopTimer()
					peakrss.Settle()
					if err := peakrss.Reset(); err != nil {
						b.Skipf("skipping: %v", err)
					}
					m := NewMem(WithDataBudget(budget.bytes))
					f, err := m.Create("f")
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					for range size.mib {
						if _, err := f.Write(data); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					p, err := peakrss.Peak()
					if err != nil {
						b.Fatal(err)
					}
					peakrss.Settle()
					r, err := peakrss.Current()
					if err != nil {
						b.Fatal(err)
					}
					peak, after = max(peak, p), max(after, r)
					if len(m.Log()) != size.mib+1 {
						b.Fatal("writes missing from the log")
					}
					b.StartTimer()
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
				b.ReportMetric(float64(after)/(1<<20), "RSS-MiB")
			})
		}
	}
}

// benchSelects reports whether the -test.bench pattern names sub, so that
// a costly size runs only when asked for.
func benchSelects(sub string) bool {
	f := flag.Lookup("test.bench")
	return f != nil && strings.Contains(f.Value.String(), sub)
}
