package faultfs

import (
	"os"
	"runtime"
	"testing"
)

// replaceHistory records a 10-op durable replace of a size-byte file:
// create, four writes, fchmod, fsync, close, rename, fsync of the directory.
func replaceHistory(tb testing.TB, size int) (*History, []byte, []byte) {
	tb.Helper()
	m := NewMem()
	old := make([]byte, size)
	for i := range old {
		old[i] = 'o'
	}
	if err := WriteFile(m, "target", old, 0o644); err != nil {
		tb.Fatal(err)
	}
	m.MakeDurable()
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i)
	}
	f, err := m.OpenFile(".target.tmp", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	q := size / 4
	for i := 0; i < 4; i++ {
		if _, err := f.Write(data[i*q : (i+1)*q]); err != nil {
			tb.Fatal(err)
		}
	}
	must(tb, f.Chmod(0o644))
	must(tb, f.Sync())
	must(tb, f.Close())
	must(tb, m.Rename(".target.tmp", "target"))
	must(tb, SyncDir(m, "."))
	h := m.History()
	if len(h.Ops()) != 10 {
		tb.Fatalf("replace logged %d ops, want 10", len(h.Ops()))
	}
	return h, old, data
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkCrashStates4KiB measures crash states enumerated and checked per
// second for a 10-op durable replace of a 4 KiB file.
func BenchmarkCrashStates4KiB(b *testing.B) { benchCrashStates(b, 4<<10) }

// BenchmarkCrashStates64MiB: the same for a 64 MiB file; states share the
// file's data, so a state costs no more than for a small file.
func BenchmarkCrashStates64MiB(b *testing.B) { benchCrashStates(b, 64<<20) }

func benchCrashStates(b *testing.B, size int) {
	h, old, data := replaceHistory(b, size)
	oldC := h.InitialState()
	oldContent, _ := oldC.Content("target")
	_ = old
	b.ReportAllocs()
	b.ResetTimer()
	states := 0
	for b.Loop() {
		for _, m := range Models() {
			for k := 0; k < h.Points(); k++ {
				h.Enumerate(m, k, EnumOptions{}, func(s *CrashState) bool {
					states++
					c, err := s.Content("target")
					if err == nil && !c.Equal(oldContent) {
						_ = c.EqualBytes(data)
					}
					return true
				})
			}
		}
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
	b.ReportMetric(float64(states)/float64(b.N), "states/op")
}

// TestCrashStates64MiBMemory explores 10,000 states of a 64 MiB replace
// and checks the heap stays far below what copying would need (10,000
// copies would be 640 GiB): under 512 MiB in all.
func TestCrashStates64MiBMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 192 MiB of test data")
	}
	h, _, _ := replaceHistory(t, 64<<20)
	old, _ := h.InitialState().Content("target")
	data, _ := h.FinalState().Content("target")
	var peak uint64
	states := 0
	var ms runtime.MemStats
	for states < 10000 {
		for _, m := range Models() {
			for k := 0; k < h.Points(); k++ {
				h.Enumerate(m, k, EnumOptions{}, func(s *CrashState) bool {
					states++
					c, err := s.Content("target")
					if err == nil {
						_ = c.Equal(old) || c.Equal(data)
					}
					if states%1000 == 0 {
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc)
					}
					return true
				})
			}
		}
	}
	t.Logf("%d states of a 64 MiB replace, peak heap %d MiB", states, peak>>20)
	if peak > 512<<20 {
		t.Fatalf("peak heap %d MiB exploring %d states, want under 512 MiB", peak>>20, states)
	}
}
