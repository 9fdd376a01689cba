//go:build linux

package writer

import (
	"bytes"
	"errors"
	"fmt"
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
	// Not t.TempDir: its ancestors may not be searchable by others, and
	// the test must not change them.
	dir, err := os.MkdirTemp("/tmp", "writer-acl-")
	if err != nil {
		t.Skipf("no /tmp: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	must(t, os.Chmod(dir, 0o755))
	if fi, err := os.Stat("/tmp"); err != nil || fi.Mode().Perm()&0o001 == 0 {
		t.Skip("/tmp is not searchable by every user")
	}
	probe := filepath.Join(dir, "probe")
	mustWrite(t, probe, "", 0o600)
	if out, err := exec.Command("setfacl", "-m", "user:daemon:r", probe).CombinedOutput(); err != nil {
		t.Skipf("the filesystem of %s does not take ACLs: %s", dir, bytes.TrimSpace(out))
	}
	must(t, os.Remove(probe))
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

// TestXattrsKept: user and trusted attributes travel with the content,
// and an explicit mode applies to the kept ACL as chmod(2) applies it,
// through the mask.
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
	if canRead(t, name, daemonUID, nogroup) {
		t.Error("user daemon reads the new file")
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

// TestDeniedNamedEntry: a named user denied by its own entry (or by the
// mask) could not read the old file even though other could; when the
// ACL is lost, other loses read too, so daemon still cannot read.
func TestDeniedNamedEntry(t *testing.T) {
	dir := aclDir(t)
	for _, acl := range []string{"user:daemon:---", "user:daemon:r,mask::---"} {
		t.Run(acl, func(t *testing.T) {
			name := filepath.Join(dir, "f")
			mustWrite(t, name, "old", 0o644)
			setfacl(t, "-n", "-m", acl, name) // -n: the mask as given
			setfacl(t, "-n", "-m", "other::r", name)
			if canRead(t, name, daemonUID, nogroup) {
				t.Skip("daemon reads the old file: this kernel does not apply the mask to named users")
			}
			if !canRead(t, name, nobody, nogroup) {
				t.Fatal("setup: other cannot read the old file")
			}
			fsys := refusingXattrFS{refuse: map[string]bool{aclAccess: true}}
			must(t, WriteFile(name, []byte("new"), 0o644, WithFS(fsys), WithAllowXattrLoss()))
			wantContent(t, name, "new")
			if canRead(t, name, daemonUID, nogroup) {
				t.Errorf("daemon reads the new file (mode %v, ACL:\n%s)", func() os.FileMode { fi, _ := os.Stat(name); return fi.Mode() }(), getfacl(t, name))
			}
		})
	}
}

// TestInheritedACLRemovedWhenLost: the directory's default ACL grants
// daemon rw; the target's own ACL (bin may read) cannot be set. The
// temporary file's inherited ACL must not survive, or the chmod would
// widen its mask and daemon could read the new file; with an explicit
// mode too.
func TestInheritedACLRemovedWhenLost(t *testing.T) {
	dir := aclDir(t)
	sub := filepath.Join(dir, "d")
	must(t, os.Mkdir(sub, 0o755))
	setfacl(t, "-d", "-m", "user:daemon:rw", sub)
	for _, opts := range [][]Option{nil, {WithMode(0o640)}} {
		t.Run(fmt.Sprintf("%d_options", len(opts)), func(t *testing.T) {
			name := filepath.Join(sub, "f")
			os.Remove(name)
			mustWrite(t, name, "old", 0o640)
			setfacl(t, "-b", name)
			setfacl(t, "-m", "user:bin:r,mask::r", name)
			if canRead(t, name, daemonUID, nogroup) {
				t.Fatal("setup: daemon reads the old file")
			}
			fsys := refusingXattrFS{refuse: map[string]bool{aclAccess: true}}
			must(t, WriteFile(name, []byte("new"), 0o644, append(opts, WithFS(fsys), WithAllowXattrLoss())...))
			if acl := getfacl(t, name); strings.Contains(acl, "daemon") {
				t.Errorf("the new file kept the inherited ACL:\n%s", acl)
			}
			if canRead(t, name, daemonUID, nogroup) {
				t.Error("daemon reads the new file")
			}
		})
	}
}

// TestACLThroughInjector: an FS the writer does not know (an injector of
// faults over faultfs.OS) whose names are the real filesystem's still
// has its target's ACL kept, not silently dropped.
func TestACLThroughInjector(t *testing.T) {
	dir := aclDir(t)
	name := filepath.Join(dir, "secret")
	restrictedACL(t, name)
	before := getfacl(t, name)
	must(t, WriteFile(name, []byte("new"), 0o644, WithFS(faultfs.NewInjector(faultfs.OS{}))))
	if after := getfacl(t, name); after != before {
		t.Errorf("ACL after the replace:\n%s\nwant:\n%s", after, before)
	}
	if !canRead(t, name, daemonUID, nogroup) {
		t.Error("daemon lost its access")
	}
}

// TestACLChangedDuringWrite: an ACL entry removed while the content is
// being written stays removed: Commit reads the target's ACL afresh.
func TestACLChangedDuringWrite(t *testing.T) {
	dir := aclDir(t)
	name := filepath.Join(dir, "f")
	restrictedACL(t, name)
	f, err := Create(name, 0o644)
	must(t, err)
	defer f.Close()
	setfacl(t, "-x", "user:daemon", name)
	must(t, os.Chmod(name, 0o600))
	_, err = f.Write([]byte("new"))
	must(t, err)
	must(t, f.Commit())
	if acl := getfacl(t, name); strings.Contains(acl, "daemon") {
		t.Errorf("the removed entry came back:\n%s", acl)
	}
	wantMode(t, name, 0o600)
	if canRead(t, name, daemonUID, nogroup) {
		t.Error("daemon reads the new file")
	}
}

// TestExplicitModeBeforeFsetxattr: with WithMode the ACL bytes set on the
// temporary file already carry the mode, so the file never grants the
// old ACL's access, not even before the fchmod.
func TestExplicitModeBeforeFsetxattr(t *testing.T) {
	dir := aclDir(t)
	name := filepath.Join(dir, "f")
	restrictedACL(t, name)
	rec := &recordingXattrFS{}
	must(t, WriteFile(name, []byte("new"), 0o644, WithFS(rec), WithMode(0o600)))
	p, ok := parseACL(rec.set[aclAccess])
	if !ok || p.mask != 0 || p.other != 0 || p.user != 6 {
		t.Errorf("ACL set before fchmod: %+v (ok %v), want user rw, mask and other none", p, ok)
	}
}

// recordingXattrFS is the real filesystem, recording the attributes set
// on the temporary file.
type recordingXattrFS struct {
	faultfs.OS
	set map[string][]byte
}

func (r *recordingXattrFS) OpenFile(name string, flag int, perm os.FileMode) (faultfs.File, error) {
	f, err := r.OS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	if flag&os.O_CREATE == 0 {
		return f, nil
	}
	r.set = map[string][]byte{}
	return recordingFile{f, r.set}, nil
}

type recordingFile struct {
	faultfs.File
	set map[string][]byte
}

func (f recordingFile) Setxattr(attr string, data []byte) error {
	f.set[attr] = append([]byte(nil), data...)
	return fdXattrs{f.File.(syscall.Conn)}.Setxattr(attr, data)
}

func (f recordingFile) Removexattr(attr string) error {
	return fdXattrs{f.File.(syscall.Conn)}.Removexattr(attr)
}

// TestCapabilityKeptAcrossChown: a file owned by another user with file
// capabilities: the writer chowns the temporary file (which clears
// security.capability) before setting the attributes, so they survive.
func TestCapabilityKeptAcrossChown(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("setting security.capability and chown need root; not root")
	}
	dir := aclDir(t)
	name := filepath.Join(dir, "tool")
	mustWrite(t, name, "old", 0o755)
	must(t, os.Chown(name, nobody, nogroup))
	// VFS_CAP_REVISION_2, effective, permitted CAP_NET_BIND_SERVICE (10).
	caps := []byte{0x01, 0x00, 0x00, 0x02, 1 << 10 & 0xff, 1 << 10 >> 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if err := unix.Setxattr(name, "security.capability", caps, 0); err != nil {
		t.Skipf("setxattr security.capability: %v", err)
	}
	must(t, WriteFile(name, []byte("new"), 0o644))
	if uid, gid := ownerOf(t, name); uid != nobody || gid != nogroup {
		t.Errorf("owner %d:%d, want %d:%d", uid, gid, nobody, nogroup)
	}
	got, err := osXattrs{}.Getxattr(name, "security.capability")
	if err != nil || !bytes.Equal(got, caps) {
		t.Errorf("security.capability = %x (%v), want %x", got, err, caps)
	}
}
