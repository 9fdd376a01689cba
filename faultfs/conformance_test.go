//go:build linux

package faultfs_test

import (
	"os"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs/internal/conformance"
)

// TestConformance runs each case of the shared table against the real
// Linux filesystem and against a Mem, and requires the transcripts to be
// equal, step for step and error for error.
//
// Each case runs twice against the kernel: through Root (names relative to
// a temporary directory; cases that need an absolute path or an escape are
// OSOnly) and through OS with absolute names below a temporary directory.
// Against Root the transcript compares the step, its result and the errno;
// against OS it also compares the Go error type and the op the error
// names, since OS and Mem both promise the os package's errors. The same
// table runs through the FUSE mount in faultfs/fuse.
func TestConformance(t *testing.T) {
	conformance.SetUmask(t)
	for _, c := range conformance.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Skip != "" {
				t.Skip(c.Skip)
			}
			if c.Root && os.Geteuid() != 0 {
				t.Skip("this case changes owners: it needs root")
			}
			mem := conformance.Run(t, c, conformance.MemTarget())
			if !c.OSOnly {
				conformance.Diff(t, "Mem", mem, "Root", conformance.Run(t, c, conformance.RootTarget(t)), false)
			}
			conformance.Diff(t, "Mem", mem, "OS", conformance.Run(t, c, conformance.OSTarget("OS", t.TempDir())), true)
		})
	}
}
