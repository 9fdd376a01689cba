//go:build unix

package writer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func ownerOf(t *testing.T, path string) (uid, gid int) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}

func TestOwnerKept(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("keeping another user's ownership needs root; not root")
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "owned")
	mustWrite(t, name, "old", os.ModeSetgid|0o750)
	if err := os.Chown(name, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(name, os.ModeSetgid|0o750); err != nil { // chown cleared it
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if uid, gid := ownerOf(t, name); uid != 1234 || gid != 5678 {
		t.Errorf("owner %d:%d, want 1234:5678", uid, gid)
	}
	// chown clears setgid: it must have been done before the chmod.
	wantMode(t, name, os.ModeSetgid|0o750)
	wantContent(t, name, "new")
}

func TestWithOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root; not root")
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "given")
	if err := WriteFile(name, []byte("new"), 0o644, WithOwner(4321, -1)); err != nil {
		t.Fatal(err)
	}
	if uid, gid := ownerOf(t, name); uid != 4321 || gid != os.Getegid() {
		t.Errorf("owner %d:%d, want 4321:%d", uid, gid, os.Getegid())
	}
	// -1 keeps the existing file's.
	if err := os.Chown(name, 1, 2); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("newer"), 0o644, WithOwner(-1, 3)); err != nil {
		t.Fatal(err)
	}
	if uid, gid := ownerOf(t, name); uid != 1 || gid != 3 {
		t.Errorf("owner %d:%d, want 1:3", uid, gid)
	}
}

// TestOwnerNotPermitted: a process that may not give the new file the
// target's owner (fchown fails with EPERM) leaves the target unchanged
// with an *OwnerError, unless WithAllowOwnerLoss, which replaces it with
// a mode that widens nobody's access.
func TestOwnerNotPermitted(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a file owned by another user needs root; not root")
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	mustWrite(t, name, "old", 0o640)
	if err := os.Chown(name, 1234, 1234); err != nil {
		t.Fatal(err)
	}
	tfs := newTraceFS()
	tfs.failKind, tfs.failErr = "fchown", syscall.EPERM
	err := WriteFile(name, []byte("new"), 0o644, WithFS(tfs))
	var oe *OwnerError
	if !errors.As(err, &oe) || oe.UID != 1234 || oe.GID != 1234 || !errors.Is(err, syscall.EPERM) {
		t.Fatalf("got %v, want an *OwnerError for 1234:1234 wrapping EPERM", err)
	}
	if !strings.Contains(err.Error(), "cannot keep owner uid 1234 and group gid 1234: operation not permitted (target unchanged; temp file removed)") {
		t.Errorf("message %q", err)
	}
	wantContent(t, name, "old")
	wantEntries(t, dir, "f")

	// Allowed: the new file is ours, and the group bits, which would
	// now grant our group what group 1234 had, are cut to other's.
	if err := WriteFile(name, []byte("new"), 0o644, WithFS(tfs), WithAllowOwnerLoss()); err != nil {
		t.Fatal(err)
	}
	wantContent(t, name, "new")
	wantMode(t, name, 0o600)
	if uid, gid := ownerOf(t, name); uid != os.Geteuid() || gid != os.Getegid() {
		t.Errorf("owner %d:%d, want ours", uid, gid)
	}

	// With WithOwner it is an error, allowed or not.
	err = WriteFile(name, []byte("newer"), 0o644, WithFS(tfs), WithOwner(1234, 1234), WithAllowOwnerLoss())
	if err == nil || errors.As(err, &oe) {
		t.Fatalf("EPERM from fchown with WithOwner should fail the replace as the chown's error, got %v", err)
	}
	wantContent(t, name, "new")
	wantEntries(t, dir, "f")
}
