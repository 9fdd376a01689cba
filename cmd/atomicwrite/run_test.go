package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	for _, tc := range []struct {
		args   []string
		status int
		stderr string // a regexp
	}{
		{[]string{file}, 0, `^$`},
		{[]string{"-m", "0600", "-b", "~", "-a", "-no-sync", file}, 0, `^$`},
		{nil, 2, `^atomicwrite: no FILE given\nRun 'atomicwrite -h' for usage\.\n$`},
		{[]string{file, file}, 2, `^atomicwrite: unexpected argument .*/f: one FILE only\nRun 'atomicwrite -h' for usage\.\n$`},
		{[]string{"-m", "8", file}, 2, `^atomicwrite: bad -m 8: not an octal mode between 0 and 7777\nRun 'atomicwrite -h' for usage\.\n$`},
		{[]string{"-m", "-1", file}, 2, `not an octal mode`},
		{[]string{"-bogus", file}, 2, `^atomicwrite: unknown flag -bogus\nRun 'atomicwrite -h' for usage\.\n$`},
		{[]string{"-a=maybe", file}, 2, `^atomicwrite: bad -a maybe: want true or false\nRun 'atomicwrite -h' for usage\.\n$`},
		{[]string{"-clean", dir, "-older", "soon"}, 2, `^atomicwrite: bad -older soon: want a duration such as 30s, 5m or 1h\nRun 'atomicwrite -h' for usage\.\n$`},
		{[]string{"-m"}, 2, `^atomicwrite: flag -m needs a value\nRun 'atomicwrite -h' for usage\.\n$`},
		{[]string{"-h"}, 0, `^usage: atomicwrite `},
		{[]string{""}, 2, `^atomicwrite: bad FILE "": empty name\nRun 'atomicwrite -h' for usage\.\n$`},
		{[]string{dir}, 1, `^atomicwrite: ` + regexp.QuoteMeta(dir) + `: is a directory; ` + regexp.QuoteMeta(dir) + ` is unchanged\n$`},
		{[]string{filepath.Join(dir, "no", "f")}, 1, `parent directory .*/no does not exist; .* is unchanged\n$`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := run(tc.args, strings.NewReader("content"), &stdout, &stderr)
			if got != tc.status {
				t.Errorf("exit status %d, want %d (stderr %q)", got, tc.status, stderr.String())
			}
			if !regexp.MustCompile(tc.stderr).MatchString(stderr.String()) {
				t.Errorf("stderr %q does not match %q", stderr.String(), tc.stderr)
			}
		})
	}
}

// patternReader yields n bytes without holding them.
type patternReader struct{ n, off int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n-r.off {
		p = p[:r.n-r.off]
	}
	for i := range p {
		p[i] = byte((r.off + int64(i)) % 251)
	}
	r.off += int64(len(p))
	return len(p), nil
}

// TestStreamsStdin: 50 MB of standard input are copied through a small
// buffer, never held in memory.
func TestStreamsStdin(t *testing.T) {
	const size = 50_000_000
	file := filepath.Join(t.TempDir(), "big")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var stderr bytes.Buffer
	if status := run([]string{"-no-sync", file}, &patternReader{n: size}, io.Discard, &stderr); status != 0 {
		t.Fatalf("exit %d: %s", status, stderr.String())
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("allocated %d bytes to copy %d: standard input was buffered", alloc, size)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	if fi.Size() != size {
		t.Fatalf("wrote %d bytes, want %d", fi.Size(), size)
	}
	// Spot-check the content at a few offsets.
	for _, off := range []int64{0, 1 << 20, size - 1} {
		var b [1]byte
		if _, err := f.ReadAt(b[:], off); err != nil || b[0] != byte(off%251) {
			t.Fatalf("byte %d is %d (%v), want %d", off, b[0], err, off%251)
		}
	}
}
