package faultfs

import (
	"io"
	"math/rand/v2"
	"os"
	"testing"
)

// The Mem benchmarks measure the write and read paths a FUSE mount drives:
// the kernel hands writes to the server in pieces of at most 128 KiB.
// Every write is logged, so the log holds all the data written: the
// benchmarks start a fresh file (timer stopped) before memory runs away.

// memBenchFile creates name in a fresh Mem and fills it with size bytes
// written in 128 KiB pieces, then makes it durable.
func memBenchFile(b *testing.B, size int64) (*Mem, File) {
	b.Helper()
	m := NewMem()
	f, err := m.OpenFile("f", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	chunk := make([]byte, 128<<10)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	for off := int64(0); off < size; off += int64(len(chunk)) {
		if _, err := f.WriteAt(chunk[:min(int64(len(chunk)), size-off)], off); err != nil {
			b.Fatal(err)
		}
	}
	m.MakeDurable()
	return m, f
}

// BenchmarkMemSequentialWrite writes files of 256 MiB in 128 KiB writes.
func BenchmarkMemSequentialWrite(b *testing.B) {
	const chunk, fileSize = 128 << 10, 256 << 20
	data := make([]byte, chunk)
	b.SetBytes(chunk)
	var f File
	var off int64
	for i := 0; i < b.N; i++ {
		if f == nil || off == fileSize {
			b.StopTimer()
			if f != nil {
				f.Close()
			}
			m := NewMem()
			var err error
			if f, err = m.Create("seq"); err != nil {
				b.Fatal(err)
			}
			off = 0
			b.StartTimer()
		}
		if _, err := f.WriteAt(data, off); err != nil {
			b.Fatal(err)
		}
		off += chunk
	}
}

// BenchmarkMemRandomWrite4KiB overwrites a durable 16 MiB file at random
// page-aligned offsets, 4 KiB at a time, as a database does (SQLite's
// default page size is 4096).
func BenchmarkMemRandomWrite4KiB(b *testing.B) { benchRandomWrite(b, 4<<10, true) }

// BenchmarkMemRandomWrite4KiBUnaligned: the same at random byte offsets.
func BenchmarkMemRandomWrite4KiBUnaligned(b *testing.B) { benchRandomWrite(b, 4<<10, false) }

func benchRandomWrite(b *testing.B, size int, aligned bool) {
	const fileSize, perFile = 16 << 20, 16 << 10
	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(1, 2))
	b.SetBytes(int64(size))
	var f File
	for i := 0; i < b.N; i++ {
		if i%perFile == 0 {
			b.StopTimer()
			if f != nil {
				f.Close()
			}
			_, f = memBenchFile(b, fileSize)
			b.StartTimer()
		}
		off := rng.Int64N(fileSize - int64(size))
		if aligned {
			off = off / int64(size) * int64(size)
		}
		if _, err := f.WriteAt(data, off); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemAppend1Byte appends to files of 1 MiB one byte at a time.
func BenchmarkMemAppend1Byte(b *testing.B) {
	const fileSize = 1 << 20
	data := []byte{'x'}
	b.SetBytes(1)
	var f File
	for i := 0; i < b.N; i++ {
		if i%fileSize == 0 {
			b.StopTimer()
			if f != nil {
				f.Close()
			}
			var err error
			if f, err = NewMem().OpenFile("log", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if _, err := f.Write(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemSequentialRead reads a 64 MiB file written in 128 KiB
// pieces, 128 KiB at a time.
func BenchmarkMemSequentialRead(b *testing.B) {
	const chunk, fileSize = 128 << 10, 64 << 20
	_, f := memBenchFile(b, fileSize)
	buf := make([]byte, chunk)
	b.SetBytes(chunk)
	b.ResetTimer()
	var off int64
	for i := 0; i < b.N; i++ {
		if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
			b.Fatal(err)
		}
		off = (off + chunk) % fileSize
	}
}

// BenchmarkMemRandomRead4KiB reads 4 KiB pages at random from a 16 MiB
// file that 4 KiB random writes have fragmented.
func BenchmarkMemRandomRead4KiB(b *testing.B) {
	const page, fileSize = 4 << 10, 16 << 20
	_, f := memBenchFile(b, fileSize)
	rng := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, page)
	for range fileSize / page {
		if _, err := f.WriteAt(buf, rng.Int64N(fileSize/page)*page); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(page)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.ReadAt(buf, rng.Int64N(fileSize/page)*page); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemMakeDurableThenWrite measures what a snapshot costs a file
// written in 128 KiB pieces: MakeDurable, then one 4 KiB write into it.
func BenchmarkMemMakeDurableThenWrite(b *testing.B) {
	const fileSize = 64 << 20
	data := make([]byte, 4<<10)
	b.SetBytes(fileSize)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m, f := memBenchFile(b, fileSize)
		if _, err := f.WriteAt(data, fileSize/2); err != nil { // the view is no longer one run
			b.Fatal(err)
		}
		b.StartTimer()
		m.MakeDurable()
		if _, err := f.WriteAt(data, 0); err != nil {
			b.Fatal(err)
		}
	}
}
