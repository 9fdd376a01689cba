package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOwnerLossRefused: an unprivileged user (uid 1, run through setpriv)
// replacing root's 0640 file in a directory it may write cannot keep
// root's owner and group. By default FILE is unchanged and the message
// says why and which flag accepts it; with -allow-owner-loss the new file
// is the user's and its group bits, which would now grant the user's
// group what root's group had, are cut.
func TestOwnerLossRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making root's file and running as uid 1 needs root; not root")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("no setpriv (util-linux) to run atomicwrite as uid 1")
	}
	// The test binary, reachable by uid 1 under the name atomicwrite.
	base, err := os.MkdirTemp("", "atomicwrite-owner-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	aw := filepath.Join(base, "atomicwrite")
	copyExecutable(t, aw)
	dir := filepath.Join(base, "d")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 1, 1); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "f")

	for _, tc := range []struct {
		name     string
		args     []string
		mode     os.FileMode
		status   int
		stderr   string
		content  string
		wantMode os.FileMode
		uid, gid uint32
	}{
		{"refused", nil, 0o640, 1,
			"atomicwrite: " + file + ": cannot keep owner uid 0 and group gid 0: operation not permitted (-allow-owner-loss replaces FILE anyway, as yours); " + file + " is unchanged\n",
			"old", 0o640, 0, 0},
		{"allowed0640", []string{"-allow-owner-loss"}, 0o640, 0, "", "new", 0o600, 1, 1},
		{"allowed0644", []string{"-allow-owner-loss"}, 0o644, 0, "", "new", 0o644, 1, 1},
		{"allowed0660", []string{"-allow-owner-loss"}, 0o660, 0, "", "new", 0o600, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(file)
			if err := os.WriteFile(file, []byte("old"), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(file, tc.mode); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"--reuid=1", "--regid=1", "--clear-groups", aw}, tc.args...)
			cmd := exec.Command(setpriv, append(args, file)...)
			cmd.Stdin = bytes.NewReader([]byte("new"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if got := cmd.ProcessState.ExitCode(); got != tc.status || stderr.String() != tc.stderr {
				t.Fatalf("exit %d (%v), stderr %q; want %d, %q", got, err, stderr.String(), tc.status, tc.stderr)
			}
			b, err := os.ReadFile(file)
			if err != nil || string(b) != tc.content {
				t.Errorf("file holds %q (%v), want %q", b, err, tc.content)
			}
			fi, err := os.Stat(file)
			if err != nil {
				t.Fatal(err)
			}
			st := fi.Sys().(*syscall.Stat_t)
			if fi.Mode() != tc.wantMode || st.Uid != tc.uid || st.Gid != tc.gid {
				t.Errorf("file is %v %d:%d, want %v %d:%d", fi.Mode(), st.Uid, st.Gid, tc.wantMode, tc.uid, tc.gid)
			}
			if ts := temps(t, dir); len(ts) > 0 {
				t.Errorf("left %q", ts)
			}
		})
	}
}

// copyExecutable copies the running test binary to path, mode 0755.
func copyExecutable(t *testing.T, path string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
