//go:build !windows

// renameio/v2 offers no WriteFile on Windows.

package writer_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/renameio/v2"
	"github.com/natefinch/atomic"

	"github.com/crashcheck/crashcheck/writer"
)

// The benchmarks replace one existing file again and again in b.TempDir()
// (set TMPDIR to measure another filesystem), at 1 KiB, 1 MiB and 64 MiB,
// with mode 0600 so that the hand-written replace, which uses
// os.CreateTemp's 0600, has nothing to fix. The first implementation of
// each benchmark is the baseline: compare with benchstat -col /impl
// (scripts/bench.sh does).

var benchSizes = []struct {
	name string
	n    int
}{{"1KiB", 1 << 10}, {"1MiB", 1 << 20}, {"64MiB", 64 << 20}}

func benchData(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{1})
	r.Read(b)
	return b
}

// handWritten is the durable replace people write by hand: temp file,
// write, fsync, close, rename, fsync the directory. It keeps neither mode
// nor owner and follows no links.
func handWritten(name string, data []byte) error {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, ".hand-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), name); err != nil {
		os.Remove(f.Name())
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if err1 := d.Close(); err == nil {
		err = err1
	}
	return err
}

func runReplace(b *testing.B, n int, replace func(name string, data []byte) error) {
	data := benchData(n)
	name := filepath.Join(b.TempDir(), "target")
	if err := os.WriteFile(name, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(n))
	b.ResetTimer()
	for b.Loop() {
		if err := replace(name, data); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	got, err := os.ReadFile(name)
	if err != nil || !bytes.Equal(got, data) {
		b.Fatalf("target holds %d bytes (%v), want the %d written", len(got), err, n)
	}
}

// BenchmarkDurable: a replace that survives a power loss (two fsyncs).
func BenchmarkDurable(b *testing.B) {
	impls := []struct {
		name string
		fn   func(string, []byte) error
	}{
		{"hand", handWritten},
		{"writer", func(name string, data []byte) error { return writer.WriteFile(name, data, 0o600) }},
	}
	for _, s := range benchSizes {
		for _, impl := range impls {
			b.Run(fmt.Sprintf("size=%s/impl=%s", s.name, impl.name), func(b *testing.B) {
				runReplace(b, s.n, impl.fn)
			})
		}
	}
}

// BenchmarkFileSynced: the file is fsynced, the directory is not
// (renameio's and natefinch/atomic's level).
func BenchmarkFileSynced(b *testing.B) {
	impls := []struct {
		name string
		fn   func(string, []byte) error
	}{
		{"renameio", func(name string, data []byte) error { return renameio.WriteFile(name, data, 0o600) }},
		{"writer", func(name string, data []byte) error {
			return writer.WriteFile(name, data, 0o600, writer.WithDurability(writer.FileSynced))
		}},
		{"natefinch", func(name string, data []byte) error { return atomic.WriteFile(name, bytes.NewReader(data)) }},
	}
	for _, s := range benchSizes {
		for _, impl := range impls {
			b.Run(fmt.Sprintf("size=%s/impl=%s", s.name, impl.name), func(b *testing.B) {
				runReplace(b, s.n, impl.fn)
			})
		}
	}
}

// BenchmarkNoSync: atomic against process crashes only; no fsync at all.
func BenchmarkNoSync(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(fmt.Sprintf("size=%s/impl=writer", s.name), func(b *testing.B) {
			runReplace(b, s.n, func(name string, data []byte) error {
				return writer.WriteFile(name, data, 0o600, writer.WithDurability(writer.NoSync))
			})
		})
	}
}
