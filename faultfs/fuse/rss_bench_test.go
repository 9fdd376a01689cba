//go:build linux

package fuse

import (
	"flag"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/internal/peakrss"
)

// rssSizes are the sizes BenchmarkMountWriteRSS writes. Only the first
// runs unless selected by name: `go test -bench 'MountWriteRSS/10GiB'`
// writes 10 GiB, which takes minutes and, without spilling, as much
// memory.
var rssSizes = []struct {
	name string
	mib  int
}{{"64MiB", 64}, {"1GiB", 1 << 10}, {"10GiB", 10 << 10}}

// BenchmarkMountWriteRSS runs `dd bs=1M` writing a file through a mount of
// a fresh Mem, and reports the server process's peak resident size while
// it ran (peak-RSS-MiB, the largest of all iterations) and what stayed
// resident after it (RSS-MiB): the memory Mem needs for data that every
// crash state may still need.
func BenchmarkMountWriteRSS(b *testing.B) {
	for _, size := range rssSizes {
		b.Run(size.name, func(b *testing.B) {
			if size.mib > rssSizes[0].mib && !benchSelects(size.name) {
				b.Skipf("skipping: writes %s; select it by name (-bench 'MountWriteRSS/%s')", size.name, size.name)
			}
			requireFUSE(b)
			requireExec(b, "dd")
			b.SetBytes(int64(size.mib) << 20)
			var peak, after int64
			for b.Loop() {
				b.StopTimer()
				m := faultfs.NewMem()
				s := mount(b, m, Options{})
				peakrss.Settle()
				if err := peakrss.Reset(); err != nil {
					b.Skipf("skipping: %v", err)
				}
				b.StartTimer()
				cmd := exec.Command("dd", "if=/dev/zero", "of="+filepath.Join(s.Dir(), "f"), "bs=1M",
					fmt.Sprint("count=", size.mib))
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("dd: %v: %s", err, out)
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
				if err := s.Unmount(); err != nil {
					b.Fatal(err)
				}
				peak, after = max(peak, p), max(after, r)
				if got := m.Log(); len(got) == 0 {
					b.Fatal("the Mem logged nothing")
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
			b.ReportMetric(float64(after)/(1<<20), "RSS-MiB")
		})
	}
}

// benchSelects reports whether the -test.bench pattern names sub, so that
// a costly size runs only when asked for.
func benchSelects(sub string) bool {
	f := flag.Lookup("test.bench")
	return f != nil && strings.Contains(f.Value.String(), sub)
}
