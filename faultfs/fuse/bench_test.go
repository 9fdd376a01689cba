//go:build linux

package fuse

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// benchDirs are the directories the benchmarks write into: the host
// filesystem itself, and mounts of it and of a Mem.
func benchDirs(b *testing.B) map[string]func(b *testing.B) string {
	return map[string]func(b *testing.B) string{
		"host": func(b *testing.B) string { return b.TempDir() },
		"mount-os": func(b *testing.B) string {
			root, _ := hostDir(b)
			return mount(b, root, Options{}).Dir()
		},
		"mount-mem": func(b *testing.B) string {
			return mount(b, faultfs.NewMem(faultfs.WithUmask(0)), Options{}).Dir()
		},
	}
}

// BenchmarkDurableReplace replaces a 1 KiB file durably: write a temp
// file, fsync it, rename it over the target, fsync the directory.
func BenchmarkDurableReplace(b *testing.B) {
	data := make([]byte, 1024)
	for _, name := range []string{"host", "mount-os", "mount-mem"} {
		b.Run(name, func(b *testing.B) {
			if name != "host" {
				requireFUSE(b)
			}
			dir := benchDirs(b)[name](b)
			tmp, target := filepath.Join(dir, "f.tmp"), filepath.Join(dir, "f")
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := f.Write(data); err != nil {
					b.Fatal(err)
				}
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
				if err := f.Close(); err != nil {
					b.Fatal(err)
				}
				if err := os.Rename(tmp, target); err != nil {
					b.Fatal(err)
				}
				d, err := os.Open(dir)
				if err != nil {
					b.Fatal(err)
				}
				if err := d.Sync(); err != nil {
					b.Fatal(err)
				}
				d.Close()
			}
		})
	}
}

// BenchmarkSequentialWrite writes a file in 1 MiB writes and fsyncs it
// every 64 MiB.
func BenchmarkSequentialWrite(b *testing.B) {
	const chunk, perFile = 1 << 20, 64
	data := make([]byte, chunk)
	for _, name := range []string{"host", "mount-os", "mount-mem"} {
		b.Run(name, func(b *testing.B) {
			if name != "host" {
				requireFUSE(b)
			}
			dir := benchDirs(b)[name](b)
			f, err := os.Create(filepath.Join(dir, "seq"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(chunk)
			i := 0
			for b.Loop() {
				if _, err := f.WriteAt(data, int64(i%perFile)*chunk); err != nil {
					b.Fatal(err)
				}
				if i++; i%perFile == 0 {
					if err := f.Sync(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
