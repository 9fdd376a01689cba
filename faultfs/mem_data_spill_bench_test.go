//go:build linux

package faultfs

import (
	"testing"

	"github.com/crashcheck/crashcheck/faultfs/internal/peakrss"
)

// rssBudgets are the data budgets the RSS benchmarks compare: none (all
// data on the heap, as before spilling existed) and the default.
var rssBudgets = []struct {
	name  string
	bytes int64
}{{"heap", -1}, {"spill", defaultDataBudget}}

// benchRSS runs work (given a fresh Mem with the budget) for each budget
// and size of peakrss.Sizes, and reports the peak resident size of the
// process while work ran (peak-RSS-MiB, the largest of all iterations),
// and what stayed resident after it (RSS-MiB), with the Mem still live.
// Sizes past the first run only when selected by name
// (-bench 'MemWriteRSS/spill/10GiB').
func benchRSS(b *testing.B, work func(b *testing.B, m *Mem, mib int)) {
	for _, budget := range rssBudgets {
		for _, size := range peakrss.Sizes {
			b.Run(budget.name+"/"+size.Name, func(b *testing.B) {
				peakrss.Skip(b, size)
				b.SetBytes(int64(size.MiB) << 20)
				var peak, after int64
				for b.Loop() {
					m := NewMem(WithDataBudget(budget.bytes))
					p, r := peakrss.Measure(b, func() { work(b, m, size.MiB) })
					peak, after = max(peak, p), max(after, r)
					if len(m.Log()) == 0 && len(m.base.inodes) < 2 {
						b.Fatal("the Mem holds nothing")
					}
				}
				peakrss.Report(b, peak, after)
			})
		}
	}
}

// BenchmarkMemWriteRSS writes a file in 1 MiB writes, as `dd bs=1M` through
// a mount does.
func BenchmarkMemWriteRSS(b *testing.B) {
	data := benchData(1 << 20)
	benchRSS(b, func(b *testing.B, m *Mem, mib int) {
		f := benchCreate(b, m)
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
	benchRSS(b, func(b *testing.B, m *Mem, mib int) {
		f := benchCreate(b, m)
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

func benchCreate(b *testing.B, m *Mem) File {
	f, err := m.Create("f")
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func benchData(n int) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7 + 1)
	}
	return data
}
