//go:build linux

package fuse

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// TestSetattrRules: who may change a file's mode, owner, group and times,
// as POSIX and Linux's setattr_prepare have it.
func TestSetattrRules(t *testing.T) {
	const me, other = 1000, 2000
	file := owned{uid: me, gid: 100, mode: syscall.S_IFREG | 0o644}
	othersFile := owned{uid: other, gid: 100, mode: syscall.S_IFREG | 0o664}
	for _, tc := range []struct {
		name     string
		uid      uint32
		o        owned
		in       fuse.SetAttrIn
		want     syscall.Errno
		wantMode uint32 // the mode to set afterwards, if FATTR_MODE
	}{
		{"owner chmod", me, file, mode(0o600), 0, 0o600},
		{"non-owner chmod", other, file, mode(0o600), syscall.EPERM, 0},
		{"root chmod", 0, file, mode(0o600), 0, 0o600},
		{"owner sets setgid in own group", me, owned{uid: me, gid: me, mode: syscall.S_IFREG}, mode(0o2755), 0, 0o2755},
		{"owner sets setgid outside group", me, file, mode(0o2755), 0, 0o755},
		{"root sets setgid anywhere", 0, file, mode(0o2755), 0, 0o2755},
		{"owner gives file away", me, file, owner(other, ^uint32(0)), syscall.EPERM, 0},
		{"owner chowns to self", me, file, owner(me, ^uint32(0)), 0, 0},
		{"root gives file away", 0, file, owner(other, 5), 0, 0},
		{"owner chgrp to own group", me, file, group(me), 0, 0},
		{"owner chgrp to same group", me, file, group(100), 0, 0},
		{"owner chgrp to a foreign group", me, file, group(7), syscall.EPERM, 0},
		{"non-owner chgrp to own group", other, file, group(other), syscall.EPERM, 0},
		{"owner sets times", me, file, times(false), 0, 0},
		{"non-owner sets times", other, file, times(false), syscall.EPERM, 0},
		{"non-owner touches, may write", me, othersFile, times(true), syscall.EACCES, 0},
		{"non-owner touches, may not write", other, file, times(true), syscall.EACCES, 0},
		{"group member touches, group may write", 100, owned{uid: other, gid: 100, mode: syscall.S_IFREG | 0o664}, times(true), 0, 0},
		{"non-owner truncates", other, file, fuse.SetAttrIn{SetAttrInCommon: fuse.SetAttrInCommon{Valid: fuse.FATTR_SIZE | fuse.FATTR_MTIME | fuse.FATTR_MTIME_NOW}}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gid := tc.uid // each caller's group has its number
			c := &caller{uid: tc.uid, gid: gid, read: true}
			in := tc.in
			if got := setattrAllowed(c, tc.o, &in); got != tc.want {
				t.Errorf("got %v, want %v", errName(got), errName(tc.want))
			}
			if tc.want == 0 && in.Valid&fuse.FATTR_MODE != 0 && in.Mode != tc.wantMode {
				t.Errorf("mode to set %#o, want %#o", in.Mode, tc.wantMode)
			}
		})
	}
}

func errName(e syscall.Errno) string {
	if e == 0 {
		return "allowed"
	}
	return e.Error()
}

func mode(m uint32) fuse.SetAttrIn {
	return fuse.SetAttrIn{SetAttrInCommon: fuse.SetAttrInCommon{Valid: fuse.FATTR_MODE, Mode: m}}
}

func owner(uid, gid uint32) fuse.SetAttrIn {
	in := fuse.SetAttrIn{SetAttrInCommon: fuse.SetAttrInCommon{Valid: fuse.FATTR_UID}}
	in.Owner.Uid = uid
	if gid != ^uint32(0) {
		in.Valid |= fuse.FATTR_GID
		in.Owner.Gid = gid
	}
	return in
}

func group(gid uint32) fuse.SetAttrIn {
	in := fuse.SetAttrIn{SetAttrInCommon: fuse.SetAttrInCommon{Valid: fuse.FATTR_GID}}
	in.Owner.Gid = gid
	return in
}

func times(now bool) fuse.SetAttrIn {
	v := uint32(fuse.FATTR_ATIME | fuse.FATTR_MTIME)
	if now {
		v |= fuse.FATTR_ATIME_NOW | fuse.FATTR_MTIME_NOW
	}
	return fuse.SetAttrIn{SetAttrInCommon: fuse.SetAttrInCommon{Valid: v}}
}

// asUser runs sh -c script at dir as uid:gid with the supplementary
// groups given, and returns its combined output and error.
func asUser(t *testing.T, dir string, uid, gid uint32, groups []uint32, script string) (string, error) {
	t.Helper()
	// Not cmd.Dir: the child's chdir into the mount would wait for a
	// permission check by this process's server while it forks.
	cmd := exec.Command("/bin/sh", "-c", `cd "$1" && eval "$2"`, "sh", dir, script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: groups}}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func ownerOf(t *testing.T, fsys faultfs.FS, name string) string {
	t.Helper()
	fi, err := fsys.Lstat(name)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Uid, st.Gid)
}

// userMount mounts a Mem whose root belongs to nobody at a directory
// every user can reach.
func userMount(t *testing.T) (*faultfs.Mem, string) {
	m := faultfs.NewMem(faultfs.WithUmask(0), faultfs.WithOwner(0, 0))
	if err := m.Chown(".", 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := faultfs.WriteFile(m, "roots", []byte("root's\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m.MakeDurable()
	s := mount(t, m, Options{AllUsers: true})
	if err := os.Chmod(filepath.Dir(s.Dir()), 0o755); err != nil {
		t.Fatal(err)
	}
	return m, s.Dir()
}

// TestOtherUsers: any user may use the mount, the kernel checks
// permissions, and what a user creates belongs to that user.
func TestOtherUsers(t *testing.T) {
	m, dir := userMount(t)
	out, err := asUser(t, dir, 65534, 65534, nil,
		`echo new > f.tmp && mv f.tmp f && mkdir d && ln -s f l && mkfifo p && echo x >> roots`)
	if err == nil || !strings.Contains(out, "Permission denied") {
		t.Errorf("nobody appending to root's 0644 file: %v %q, want Permission denied", err, out)
	}
	for _, name := range []string{"f", "d", "l", "p"} {
		if got := ownerOf(t, m, name); got != "65534:65534" {
			t.Errorf("%s created by nobody is owned by %s, want 65534:65534", name, got)
		}
	}
	if got := ownerOf(t, m, "roots"); got != "0:0" {
		t.Errorf("roots owned by %s, want 0:0", got)
	}
	if out, err := asUser(t, dir, 65534, 65534, nil, `chmod 600 roots`); err == nil || !strings.Contains(out, "Operation not permitted") {
		t.Errorf("nobody's chmod of root's file: %v %q, want Operation not permitted", err, out)
	}
	if out, err := asUser(t, dir, 65534, 65534, nil, `chmod 600 f`); err != nil {
		t.Errorf("owner's chmod: %v %s", err, out)
	}
	if fi, _ := m.Stat("f"); fi.Mode().Perm() != 0o600 {
		t.Errorf("f's mode after its owner's chmod 600: %v", fi.Mode())
	}
}

// TestOtherUsersGroups: a set-group-ID directory gives new entries its
// group; the owner may change a file's group to one of its supplementary
// groups, read from /proc, and to no other.
func TestOtherUsersGroups(t *testing.T) {
	m, dir := userMount(t)
	if err := os.Mkdir(dir+"/shared", 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir+"/shared", 0, 100); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Chmod(dir+"/shared", 0o2777); err != nil {
		t.Fatal(err)
	}
	if out, err := asUser(t, dir, 65534, 65534, []uint32{50}, `touch shared/f && mkdir shared/d && touch g && chgrp 50 g`); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if got := ownerOf(t, m, "shared/f"); got != "65534:100" {
		t.Errorf("file in a set-group-ID directory owned by %s, want 65534:100", got)
	}
	if fi, _ := m.Stat("shared/d"); ownerOf(t, m, "shared/d") != "65534:100" || fi.Mode()&fs.ModeSetgid == 0 {
		t.Errorf("directory in a set-group-ID directory: %s %v, want 65534:100 and set-group-ID", ownerOf(t, m, "shared/d"), fi.Mode())
	}
	if got := ownerOf(t, m, "g"); got != "65534:50" {
		t.Errorf("after chgrp to a supplementary group: %s, want 65534:50", got)
	}
	if out, err := asUser(t, dir, 65534, 65534, []uint32{50}, `chgrp 7 g`); err == nil {
		t.Errorf("chgrp to a foreign group succeeded: %s", out)
	}
}

// TestWriteClearsSetID: a write by a user other than root clears
// set-user-ID, and set-group-ID with group execute; root's write keeps them.
func TestWriteClearsSetID(t *testing.T) {
	m, dir := userMount(t)
	for _, name := range []string{"mine", "roots-suid"} {
		if err := faultfs.WriteFile(m, name, []byte("#!/bin/sh\n"), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := m.Chmod(name, 0o777|fs.ModeSetuid|fs.ModeSetgid); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Chown("mine", 65534, 65534); err != nil {
		t.Fatal(err)
	}
	m.Chmod("mine", 0o777|fs.ModeSetuid|fs.ModeSetgid) // the chown cleared them
	if out, err := asUser(t, dir, 65534, 65534, nil, `echo x >> mine && echo x >> roots-suid`); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	for _, name := range []string{"mine", "roots-suid"} {
		if fi, _ := m.Stat(name); fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
			t.Errorf("%s after nobody's write: %v, want set-ID bits cleared", name, fi.Mode())
		}
	}
	m.Chmod("roots-suid", 0o777|fs.ModeSetuid)
	if out, err := asUser(t, dir, 0, 0, nil, "echo y >> roots-suid"); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if fi, _ := m.Stat("roots-suid"); fi.Mode()&fs.ModeSetuid == 0 {
		t.Errorf("root's write cleared set-user-ID: %v", fi.Mode())
	}
}
