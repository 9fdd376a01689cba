//go:build linux

package peakrss

import "testing"

// TestPeakFollowsAllocation touches 64 MiB and checks that the peak saw
// it, and that Reset brings the peak down to about the resident size once
// the memory is given back.
func TestPeakFollowsAllocation(t *testing.T) {
	const size = 64 << 20
	Settle()
	if err := Reset(); err != nil {
		t.Skipf("skipping: cannot reset the peak: %v", err)
	}
	before, err := Peak()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, size)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	after, err := Peak()
	if err != nil {
		t.Fatal(err)
	}
	if after-before < size*9/10 {
		t.Fatalf("peak grew by %d bytes after touching %d", after-before, size)
	}
	b = nil
	Settle()
	if err := Reset(); err != nil {
		t.Fatal(err)
	}
	reset, err := Peak()
	if err != nil {
		t.Fatal(err)
	}
	cur, err := Current()
	if err != nil {
		t.Fatal(err)
	}
	if reset >= after-size/2 || reset > cur+size/4 {
		t.Fatalf("after Reset the peak is %d bytes (resident %d, peak before %d)", reset, cur, after)
	}
}
