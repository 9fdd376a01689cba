//go:build linux

package writer

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"golang.org/x/sys/unix"
)

// aclDir returns a fresh directory on a filesystem where setfacl works,
// searchable by every user (so that other users' access can be tried), or
// skips the test saying why not.
func aclDir(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("setfacl"); err != nil {
		t.Skip("setfacl not installed (apt-get install acl)")
	}
	dir := t.TempDir()
	probe := filepath.Join(dir, "probe")
	mustWrite(t, probe, "", 0o600)
	if out, err := exec.Command("setfacl", "-m", "user:daemon:r", probe).CombinedOutput(); err != nil {
		t.Skipf("the filesystem of %s does not take ACLs: %s", dir, bytes.TrimSpace(out))
	}
	must(t, os.Remove(probe))
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		must(t, err)
		if fi.Mode().Perm()&0o001 == 0 {
			must(t, os.Chmod(d, fi.Mode().Perm()|0o011))
			t.Cleanup(func() { os.Chmod(d, fi.Mode().Perm()) })
		}
	}
	return dir
}

func setfacl(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("setfacl", args...).CombinedOutput(); err != nil {
		t.Fatalf("setfacl %q: %v: %s", args, err, out)
	}
}

func getfacl(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("getfacl", "--omit-header", path).CombinedOutput()
	if err != nil {
		t.Fatalf("getfacl %s: %v: %s", path, err, out)
	}
	return string(out)
}

// canRead reports whether a process with uid and gid (and no other
// groups) may read path.
func canRead(t *testing.T, path string, uid, gid int) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("trying another user's access needs root; not root")
	}
	cmd := exec.Command("cat", path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}}
	return cmd.Run() == nil
}

// restrictedACL makes path the example: mode 0640 as ls shows it,
// but the 4 of the group bits is the mask: user daemon may read, the
// owning group may not.
func restrictedACL(t *testing.T, path string) {
	t.Helper()
	mustWrite(t, path, "old", 0o640)
	setfacl(t, "-m", "user:daemon:r", path)
	setfacl(t, "-m", "group::---", path)
	setfacl(t, "-m", "mask::r", path)
	wantMode(t, path, 0o640)
}

const (
	daemonUID = 1     // in Debian's base passwd
	nogroup   = 65534 // nobody's group
	nobody    = 65534
)

// TestACLKept: the scenario. The new file carries the same ACL,
// so the owning group still cannot read it and daemon still can.
func TestACLKept(t *testing.T) {
	dir := aclDir(t)
	for _, tc := range []struct {
		name string
		fsys func(t *testing.T) (faultfs.FS, string)
	}{
		{"OS", func(t *testing.T) (faultfs.FS, string) { return faultfs.OS{}, dir }},
		{"Root", func(t *testing.T) (faultfs.FS, string) {
			r, err := faultfs.OpenRoot(dir)
			must(t, err)
			t.Cleanup(func() { r.Close() })
			return r, ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := filepath.Join(dir, "secret-"+tc.name)
			restrictedACL(t, name)
			must(t, os.Chown(name, 0, nogroup))
			before := getfacl(t, name)
			if canRead(t, name, nobody, nogroup) {
				t.Fatal("setup: the owning group can read the old file")
			}
			fsys, prefix := tc.fsys(t)
			must(t, WriteFile(filepath.Join(prefix, filepath.Base(name)), []byte("new"), 0o644, WithFS(fsys)))
			wantContent(t, name, "new")
			if after := getfacl(t, name); after != before {
				t.Errorf("ACL after the replace:\n%s\nwant:\n%s", after, before)
			}
			wantMode(t, name, 0o640)
			if canRead(t, name, nobody, nogroup) {
				t.Error("the owning group can read the new file")
			}
			if !canRead(t, name, daemonUID, nogroup) {
				t.Error("user daemon cannot read the new file")
			}
			if tmp := tempFiles(t, dir); len(tmp) > 0 {
				t.Errorf("left %q", tmp)
			}
		})
	}
}

// TestXattrsKept: user and trusted attributes travel with the content;
// chown before them does not clear them, and an explicit mode applies to
// the kept ACL as chmod(2) applies it, through the mask.
func TestXattrsKept(t *testing.T) {
	dir := aclDir(t)
	name := filepath.Join(dir, "f")
	restrictedACL(t, name)
	attrs := map[string]string{"user.origin": "issue 14", "user.empty": ""}
	if os.Geteuid() == 0 {
		attrs["trusted.note"] = "root only"
	}
	for k, v := range attrs {
		if err := unix.Setxattr(name, k, []byte(v), 0); err != nil {
			t.Skipf("setxattr %s: %v", k, err)
		}
	}
	must(t, WriteFile(name, []byte("new"), 0o644))
	for k, v := range attrs {
		got, err := osXattrs{}.Getxattr(name, k)
		if err != nil || string(got) != v {
			t.Errorf("%s = %q (%v), want %q", k, got, err, v)
		}
	}

	must(t, WriteFile(name, []byte("newer"), 0o644, WithMode(0o600)))
	wantMode(t, name, 0o600)
	if acl := getfacl(t, name); !strings.Contains(acl, "user:daemon:r--\t#effective:---") || !strings.Contains(acl, "mask::---") {
		t.Errorf("ACL after WithMode(0600):\n%s\nwant daemon's entry masked", acl)
	}
}

// TestInheritedACLRemoved: a target without an ACL in a directory with a
// default ACL is replaced by a file without an ACL, not by one that
// inherited the default (which would let user daemon read it).
func TestInheritedACLRemoved(t *testing.T) {
	dir := aclDir(t)
	name := filepath.Join(dir, "f")
	mustWrite(t, name, "old", 0o640)
	setfacl(t, "-d", "-m", "user:daemon:r", dir)
	must(t, WriteFile(name, []byte("new"), 0o644))
	if acl := getfacl(t, name); strings.Contains(acl, "daemon") {
		t.Errorf("the new file inherited the directory's default ACL:\n%s", acl)
	}
	wantMode(t, name, 0o640)
	// A new file inherits it, as every new file does.
	fresh := filepath.Join(dir, "fresh")
	must(t, WriteFile(fresh, []byte("new"), 0o644))
	if acl := getfacl(t, fresh); !strings.Contains(acl, "user:daemon:r--") {
		t.Errorf("a new file did not inherit the directory's default ACL:\n%s", acl)
	}
}

// refusingXattrFS is the real filesystem, except that setting the
// attributes in refuse on a temporary file fails with EPERM, as it does
// for an unprivileged process and trusted.* or security.*.
type refusingXattrFS struct {
	faultfs.OS
	refuse map[string]bool
}

func (r refusingXattrFS) Listxattr(path string) ([]string, error) {
	return osXattrs{}.Listxattr(path)
}

func (r refusingXattrFS) Getxattr(path, attr string) ([]byte, error) {
	return osXattrs{}.Getxattr(path, attr)
}

func (r refusingXattrFS) OpenFile(name string, flag int, perm os.FileMode) (faultfs.File, error) {
	f, err := r.OS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return refusingFile{f, r.refuse}, nil
}

type refusingFile struct {
	faultfs.File
	refuse map[string]bool
}

func (f refusingFile) Setxattr(attr string, data []byte) error {
	if f.refuse[attr] {
		return &os.PathError{Op: "fsetxattr " + attr, Path: f.Name(), Err: syscall.EPERM}
	}
	return fdXattrs{f.File.(syscall.Conn)}.Setxattr(attr, data)
}

func (f refusingFile) Removexattr(attr string) error {
	return fdXattrs{f.File.(syscall.Conn)}.Removexattr(attr)
}

// TestACLNotKept: an ACL that cannot be set on the new file is an error
// that leaves the target as it was; WithAllowXattrLoss replaces it with a
// mode that grants the owning group only what the ACL gave it.
func TestACLNotKept(t *testing.T) {
	dir := aclDir(t)
	name := filepath.Join(dir, "secret")
	restrictedACL(t, name)
	must(t, unix.Setxattr(name, "user.origin", []byte("kept"), 0))
	before := getfacl(t, name)
	fsys := refusingXattrFS{refuse: map[string]bool{aclAccess: true}}

	err := WriteFile(name, []byte("new"), 0o644, WithFS(fsys))
	if !errors.Is(err, syscall.EPERM) {
		t.Fatalf("got %v, want EPERM", err)
	}
	var xe *XattrError
	if !errors.As(err, &xe) || xe.Attr != aclAccess {
		t.Errorf("error %v does not say which attribute was lost", err)
	}
	for _, want := range []string{"cannot keep ACL (system.posix_acl_access): operation not permitted", "target unchanged; temp file removed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	wantContent(t, name, "old")
	wantEntries(t, dir, "secret")
	if after := getfacl(t, name); after != before {
		t.Errorf("ACL changed by a failed replace:\n%s\nwant:\n%s", after, before)
	}

	must(t, WriteFile(name, []byte("new"), 0o644, WithFS(fsys), WithAllowXattrLoss()))
	wantContent(t, name, "new")
	// group::--- masked by r--: no group bits, not the mask's 4.
	wantMode(t, name, 0o600)
	if v, err := (osXattrs{}).Getxattr(name, aclAccess); !errors.Is(err, syscall.ENODATA) {
		t.Errorf("new file has an ACL %q (%v)", v, err)
	}
	if v, err := (osXattrs{}).Getxattr(name, "user.origin"); err != nil || string(v) != "kept" {
		t.Errorf("user.origin = %q (%v): an attribute that could be kept was not", v, err)
	}
	if os.Geteuid() == 0 && canRead(t, name, daemonUID, nogroup) {
		t.Error("user daemon reads the new file through other bits")
	}
}

// TestXattrNotKept: any other attribute that cannot be kept is refused the
// same way; allowing the loss keeps the ACL.
func TestXattrNotKept(t *testing.T) {
	dir := aclDir(t)
	name := filepath.Join(dir, "f")
	restrictedACL(t, name)
	must(t, unix.Setxattr(name, "user.label", []byte("x"), 0))
	before := getfacl(t, name)
	fsys := refusingXattrFS{refuse: map[string]bool{"user.label": true}}
	err := WriteFile(name, []byte("new"), 0o644, WithFS(fsys))
	var xe *XattrError
	if !errors.As(err, &xe) || xe.Attr != "user.label" || !strings.Contains(err.Error(), "cannot keep extended attribute user.label") {
		t.Fatalf("got %v, want user.label not kept", err)
	}
	wantContent(t, name, "old")
	must(t, WriteFile(name, []byte("new"), 0o644, WithFS(fsys), WithAllowXattrLoss()))
	if after := getfacl(t, name); after != before {
		t.Errorf("ACL after the replace:\n%s\nwant:\n%s", after, before)
	}
	wantMode(t, name, 0o640)
}
