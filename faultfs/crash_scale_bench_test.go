package faultfs

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

// explicitBench reports whether -bench names size, so that a benchmark
// too big for a default run runs only when asked for by name.
func explicitBench(size string) bool {
	f := flag.Lookup("test.bench")
	return f != nil && strings.Contains(f.Value.String(), size)
}

// appendHistory records n durable appends to the file log: it is opened
// with O_APPEND once, then each line is written and fsynced (2n+1 ops: the open logs nothing).
func appendHistory(tb testing.TB, n int) (*History, []int64) {
	tb.Helper()
	m := NewMem()
	must(tb, WriteFile(m, "log", nil, 0o644))
	m.MakeDurable()
	f, err := m.OpenFile("log", os.O_WRONLY|os.O_APPEND, 0)
	must(tb, err)
	synced := []int64{0} // the file's durable size after each line
	for i := 0; i < n; i++ {
		line := fmt.Sprintf("record %08d\n", i)
		if _, err := f.Write([]byte(line)); err != nil {
			tb.Fatal(err)
		}
		must(tb, f.Sync())
		synced = append(synced, synced[len(synced)-1]+int64(len(line)))
	}
	must(tb, f.Close())
	return m.History(), synced
}

// BenchmarkDurableAppends enumerates and checks every crash state of n
// durable appends under each model (sub-benchmarks model/n): at each state
// the file must hold every line fsynced before the crash point, and at
// most the one line being written (perhaps torn). The check reads the
// content's size and first bytes, so its own cost does not grow with n:
// ns/histop that grows with n is the enumeration's super-linear cost,
// which benchstat shows across sizes.
//
//	go test -run '^$' -bench 'DurableAppends/ext4-ordered' ./faultfs
func BenchmarkDurableAppends(b *testing.B) {
	for _, m := range Models() {
		b.Run(m.Name(), func(b *testing.B) {
			for _, n := range []int{10, 100, 1000, 10000, 100000} {
				b.Run(countName(n), func(b *testing.B) { benchDurableAppends(b, m, n) })
			}
		})
	}
}

func benchDurableAppends(b *testing.B, m Model, n int) {
	if n >= 100000 && !explicitBench("100k") {
		b.Skip("100k appends: give -bench explicitly with the size (e.g. -bench 'DurableAppends/posix/100k')")
	}
	h, synced := appendHistory(b, n)
	first := []byte("record 00000000\n")
	b.ReportAllocs()
	b.ResetTimer()
	states := 0
	for b.Loop() {
		for k := 0; k < h.Points(); k++ {
			// The log holds a write and an fsync per line, then the
			// close: line j's fsync is op 2j+1, so k/2 lines are
			// durable at point k.
			done := synced[min(k/2, n)]
			h.Enumerate(m, k, EnumOptions{}, func(s *CrashState) bool {
				states++
				c, err := s.Content("log")
				if err != nil {
					b.Fatalf("%s: %v", s.Describe(), err)
				}
				if c.Len() < done || c.Len() > done+int64(len(first)) {
					b.Fatalf("%s: %s holds %d bytes, want %d to %d", s.Describe(), "log", c.Len(), done, done+int64(len(first)))
				}
				if c.Len() >= int64(len(first)) && string(c.Prefix(len(first))) != string(first) {
					b.Fatalf("%s: log starts %q", s.Describe(), c.Prefix(len(first)))
				}
				return true
			})
		}
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(h.ops)), "ns/histop")
}

// countName prints a count as the benchmarks name it: 10, 1k, 100k.
func countName(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// writtenHistory records a file written in 1 MiB writes, fsynced every
// 4 MiB, size bytes in all.
func writtenHistory(tb testing.TB, size int) *History {
	tb.Helper()
	m := NewMem()
	m.MakeDurable()
	f, err := m.OpenFile("data", os.O_WRONLY|os.O_CREATE, 0o644)
	must(tb, err)
	chunk := make([]byte, min(size, 1<<20))
	for i := range chunk {
		chunk[i] = byte(i)
	}
	for done := 0; done < size; done += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			tb.Fatal(err)
		}
		if (done+len(chunk))%(4<<20) == 0 {
			must(tb, f.Sync())
		}
	}
	must(tb, f.Sync())
	must(tb, f.Close())
	must(tb, SyncDir(m, "."))
	return m.History()
}

// BenchmarkCrashStatesWritten enumerates and checks every crash state,
// under every model, of a file of each size written in 1 MiB writes:
// states/s and ns per byte written against the bytes written. The check
// reads each state's size and first bytes. The 256 MiB and 1 GiB cases
// run only when -bench names them (they hold that much memory).
//
//	go test -run '^$' -bench 'CrashStatesWritten/1GiB' ./faultfs
func BenchmarkCrashStatesWritten(b *testing.B) {
	for _, size := range []int{1 << 20, 16 << 20, 64 << 20, 256 << 20, 1 << 30} {
		name := fmt.Sprintf("%dMiB", size>>20)
		if size >= 1<<30 {
			name = fmt.Sprintf("%dGiB", size>>30)
		}
		b.Run(name, func(b *testing.B) {
			if size >= 256<<20 && !explicitBench(name) {
				b.Skipf("%s written: give -bench explicitly with the size (e.g. -bench 'CrashStatesWritten/%s')", name, name)
			}
			h := writtenHistory(b, size)
			b.ReportAllocs()
			b.ResetTimer()
			states := 0
			for b.Loop() {
				for _, m := range Models() {
					for k := 0; k < h.Points(); k++ {
						h.Enumerate(m, k, EnumOptions{}, func(s *CrashState) bool {
							states++
							c, err := s.Content("data")
							if err == nil && c.Len() > int64(size) {
								b.Fatalf("%s: data holds %d bytes, more than the %d written", s.Describe(), c.Len(), size)
							}
							if err == nil && c.Len() > 0 && c.Prefix(1)[0] != 0 {
								b.Fatalf("%s: data starts %d", s.Describe(), c.Prefix(1)[0])
							}
							return true
						})
					}
				}
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(size), "ns/byte")
		})
	}
}

// createHistory records n files created in one directory, the durable
// way: each created, written, fsynced and closed, then the directory
// fsynced (5n ops).
func createHistory(tb testing.TB, n int) *History {
	tb.Helper()
	m := NewMem()
	must(tb, m.Mkdir("d", 0o755))
	m.MakeDurable()
	for i := 0; i < n; i++ {
		f, err := m.OpenFile(fmt.Sprintf("d/f%06d", i), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		must(tb, err)
		if _, err := f.Write([]byte("content\n")); err != nil {
			tb.Fatal(err)
		}
		must(tb, f.Sync())
		must(tb, f.Close())
		must(tb, SyncDir(m, "d"))
	}
	return m.History()
}

// BenchmarkCreateFiles enumerates and checks every crash state, under
// every model, of n files created durably in one directory: at each state
// the directory must hold the last file whose directory fsync came before
// the crash point, and not the one after the next. The check is two
// lookups, so its cost hardly grows with n: states/s and ns/histop
// against n show whether a state costs what changed or what the
// directory holds.
//
//	go test -run '^$' -bench CreateFiles ./faultfs
func BenchmarkCreateFiles(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(countName(n), func(b *testing.B) {
			h := createHistory(b, n)
			names := make([]string, n)
			for i := range names {
				names[i] = fmt.Sprintf("d/f%06d", i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			states := 0
			for b.Loop() {
				for _, m := range Models() {
					for k := 0; k < h.Points(); k++ {
						done := k / 5 // file j's directory fsync is op 5j+4
						h.Enumerate(m, k, EnumOptions{}, func(s *CrashState) bool {
							states++
							if done > 0 {
								if _, err := s.Lstat(names[done-1]); err != nil {
									b.Fatalf("%s: %v", s.Describe(), err)
								}
							}
							if done+1 < n {
								if _, err := s.Lstat(names[done+1]); err == nil {
									b.Fatalf("%s: %s exists", s.Describe(), names[done+1])
								}
							}
							return true
						})
					}
				}
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(h.ops)), "ns/histop")
		})
	}
}
