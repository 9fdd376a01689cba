package main

import (
	"io/fs"
	"syscall"
	"testing"

	"github.com/crashcheck/crashcheck/writer"
)

// TestReportXattr: an ACL the new file could not carry is named, with the
// flag that accepts the loss, and FILE is said to be unchanged.
func TestReportXattr(t *testing.T) {
	err := &fs.PathError{Op: "replace", Path: "f", Err: &writer.XattrError{Attr: "system.posix_acl_access", Err: syscall.EPERM}}
	want := "atomicwrite: f: cannot keep ACL (system.posix_acl_access): operation not permitted (-allow-xattr-loss replaces FILE anyway, without it); f is unchanged"
	if got := report("f", err); got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}
