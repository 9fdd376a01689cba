//go:build linux

package faultfs

import (
	"flag"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs/internal/peakrss"
)

// rssSizes are the sizes the RSS benchmarks write. Only the first runs
// unless a larger one is selected by name (-bench 'MemWriteRSS/spill/10GiB').
var rssSizes = []struct {
	name string
	mib  int
}{{"64MiB", 64}, {"1GiB", 1 << 10}, {"10GiB", 10 << 10}}

// rssBudgets are the data budgets the RSS benchmarks compare: none (all
// data on the heap, as before spilling existed) and the default.
var rssBudgets = []struct {
	name  string
	bytes int64
}{{"heap", -1}, {"spill", defaultDataBudget}}

// benchRSS runs work (given a fresh Mem with the budget) for each budget
// and size, and reports the peak resident size of the process while work
// ran (peak-RSS-MiB, the largest of all iterations), and what stayed
// resident after it (RSS-MiB), with the Mem still live.
func benchRSS(b *testing.B, name string, work func(b *testing.B, m *Mem, mib int)) {
	for _, budget := range rssBudgets {
		for i, size := range rssSizes {
			b.Run(budget.name+"/"+size.name, func(b *testing.B) {
				if i > 0 && !benchSelects(size.name) {
					b.Skipf("skipping: writes %s; select it by name (-bench '%s/%s/%s')", size.name, name, budget.name, size.name)
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
					b.StartTimer()
					work(b, m, size.mib)
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
					if len(m.Log()) == 0 && len(m.base.inodes) < 2 {
						b.Fatal("the Mem holds nothing")
					}
					b.StartTimer()
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
				b.ReportMetric(float64(after)/(1<<20), "RSS-MiB")
			})
		}
	}
}

// BenchmarkMemWriteRSS writes a file in 1 MiB writes, as `dd bs=1M` through
// a mount does.
func BenchmarkMemWriteRSS(b *testing.B) {
	data := benchData(1 << 20)
	benchRSS(b, "MemWriteRSS", func(b *testing.B, m *Mem, mib int) {
		f, err := m.Create("f")
		if err != nil {
			b.Fatal(err)
		}
		for range mib {
			if _, err := f.Write(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMemCopyInRSS copies a file in as crashcheck run's --dir does:
// its size set by Truncate (which makes a large file sparse), its data
// written in io.Copy's 32 KiB pieces, then MakeDurable.
func BenchmarkMemCopyInRSS(b *testing.B) {
	data := benchData(32 << 10)
	benchRSS(b, "MemCopyInRSS", func(b *testing.B, m *Mem, mib int) {
		f, err := m.Create("f")
		if err != nil {
			b.Fatal(err)
		}
		if err := f.Truncate(int64(mib) << 20); err != nil {
			b.Fatal(err)
		}
		for range mib << 20 / len(data) {
			if _, err := f.Write(data); err != nil {
				b.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		m.MakeDurable()
	})
}

func benchData(n int) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7 + 1)
	}
	return data
}

// benchSelects reports whether the -test.bench pattern names sub, so that
// a costly size runs only when asked for.
func benchSelects(sub string) bool {
	f := flag.Lookup("test.bench")
	return f != nil && strings.Contains(f.Value.String(), sub)
}
