//go:build linux

package fuse

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/internal/peakrss"
)

// BenchmarkMountWriteRSS runs `dd bs=1M` writing a file through a mount of
// a fresh Mem, and reports the server process's peak resident size while
// it ran (peak-RSS-MiB, the largest of all iterations) and what stayed
// resident after it (RSS-MiB), with the Mem still live: the memory Mem
// needs for data every crash state may still need. Sizes past the first
// of peakrss.Sizes run only when selected by name (-bench
// 'MountWriteRSS/10GiB': minutes, and without spilling as much memory).
func BenchmarkMountWriteRSS(b *testing.B) {
	for _, size := range peakrss.Sizes {
		b.Run(size.Name, func(b *testing.B) {
			peakrss.Skip(b, size)
			requireFUSE(b)
			requireExec(b, "dd")
			b.SetBytes(int64(size.MiB) << 20)
			var peak, after int64
			for b.Loop() {
				m := faultfs.NewMem()
				s := mount(b, m, Options{})
				cmd := exec.Command("dd", "if=/dev/zero", "of="+filepath.Join(s.Dir(), "f"), "bs=1M",
					fmt.Sprint("count=", size.MiB))
				p, r := peakrss.Measure(b, func() {
					if out, err := cmd.CombinedOutput(); err != nil {
						b.Fatalf("dd: %v: %s", err, out)
					}
				})
				peak, after = max(peak, p), max(after, r)
				if err := s.Unmount(); err != nil {
					b.Fatal(err)
				}
				if len(m.Log()) < size.MiB {
					b.Fatal("the Mem logged fewer writes than dd made")
				}
			}
			peakrss.Report(b, peak, after)
		})
	}
}
