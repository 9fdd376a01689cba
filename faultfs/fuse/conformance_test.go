//go:build linux

package fuse

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/internal/conformance"
)

// The conformance table of faultfs/internal/conformance, played through
// the mount: every case runs with the os package on a real directory and
// on a Mem served by this package, and the two transcripts must be equal
// step for step, error for error (errno, Go error type and op). It runs as
// root in this process, and as uid 65534 in a copy of the test binary
// started under setpriv, against the same kind of mount (allow_other,
// default_permissions), so that the kernel's permission checks and the
// server's caller ownership (owner.go) are judged against Linux's. No case
// is exempt: a case that differs through the mount is a bug of the server
// or of Mem (the first run found one: fchmod of an unlinked open file).

// otherUID is the unprivileged user the second pass runs as (nobody).
const otherUID = 65534

// Environment of the child that runs the cases as otherUID: the real
// directory and the mount, each holding a directory per case, named by the
// case's index and owned by otherUID.
const (
	envConfReal  = "CRASHCHECK_CONFORMANCE_REAL"
	envConfMount = "CRASHCHECK_CONFORMANCE_MOUNT"
)

// TestConformanceMount plays every case, as root, on a real directory and
// on Mem through the mount.
func TestConformanceMount(t *testing.T) {
	requireFUSE(t)
	real, mnt := confDirs(t)
	conformance.SetUmask(t)
	for i, c := range conformance.Cases {
		t.Run(c.Name, func(t *testing.T) {
			runMountCase(t, i, c, real, mnt)
		})
	}
}

// TestConformanceMountAsOther plays every case as uid 65534: it prepares
// a directory per case owned by that user on both sides and re-runs this
// test binary (TestConformanceMountChild) under setpriv.
func TestConformanceMountAsOther(t *testing.T) {
	requireFUSE(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("skipping: setpriv (util-linux) is not installed: it runs the cases as another user")
	}
	real, mnt := confDirs(t)
	for i := range conformance.Cases {
		for _, d := range []string{real, mnt} {
			if err := os.Chown(filepath.Join(d, strconv.Itoa(i)), otherUID, otherUID); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The test binary sits below go's private build directory, which
	// the other user cannot enter: run a copy.
	bin := filepath.Join(filepath.Dir(real), "fuse.test")
	if err := copyExecutable(bin); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(setpriv, fmt.Sprintf("--reuid=%d", otherUID), fmt.Sprintf("--regid=%d", otherUID), "--clear-groups",
		bin, "-test.run=^TestConformanceMountChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), envConfReal+"="+real, envConfMount+"="+mnt)
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	passed, failed, skipped := countResults(out)
	t.Logf("as uid %d: %d cases passed, %d failed, %d skipped", otherUID, passed, failed, skipped)
	if err != nil || failed > 0 || passed == 0 {
		t.Errorf("the cases as uid %d failed (%v):\n%s", otherUID, err, out)
	}
}

// TestConformanceMountChild is the half of TestConformanceMountAsOther
// that runs as the other user; it skips unless started by it.
func TestConformanceMountChild(t *testing.T) {
	real, mnt := os.Getenv(envConfReal), os.Getenv(envConfMount)
	if real == "" || mnt == "" {
		t.Skip("skipping: run by TestConformanceMountAsOther as another user")
	}
	if os.Geteuid() != otherUID || os.Getegid() != otherUID {
		t.Fatalf("running as uid %d gid %d, not as %d", os.Geteuid(), os.Getegid(), otherUID)
	}
	conformance.SetUmask(t)
	for i, c := range conformance.Cases {
		t.Run(c.Name, func(t *testing.T) {
			runMountCase(t, i, c, real, mnt)
		})
	}
}

// runMountCase plays case i on its directory below real and below mnt.
func runMountCase(t *testing.T, i int, c conformance.Case, real, mnt string) {
	if c.Skip != "" {
		t.Skip(c.Skip)
	}
	dir := strconv.Itoa(i)
	want := conformance.Run(t, c, conformance.OSTarget("Linux", filepath.Join(real, dir)))
	got := conformance.Run(t, c, conformance.OSTarget("mount", filepath.Join(mnt, dir)))
	conformance.Diff(t, "mount", got, "Linux", want, true)
}

// confDirs makes a real directory and a mount of a fresh Mem, side by
// side in a temporary directory every user may enter, each with an empty
// directory per case; all are removed, and the mount unmounted, when the
// test ends.
func confDirs(t *testing.T) (real, mnt string) {
	t.Helper()
	top, err := os.MkdirTemp("", "conformance")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(top) })
	if err := os.Chmod(top, 0o755); err != nil {
		t.Fatal(err)
	}
	real, mnt = filepath.Join(top, "real"), filepath.Join(top, "mnt")
	for _, d := range []string{real, mnt} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Mount(mnt, faultfs.NewMem(faultfs.WithUmask(0), faultfs.WithOwner(0, 0)), Options{AllUsers: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	for i := range conformance.Cases {
		for _, d := range []string{real, mnt} {
			if err := os.Mkdir(filepath.Join(d, strconv.Itoa(i)), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return real, mnt
}

// copyExecutable copies the running test binary to dst, mode 0755.
func copyExecutable(dst string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	in, err := os.Open(exe)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// countResults counts the subtests a verbose test run reports.
func countResults(out []byte) (passed, failed, skipped int) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "--- ") || !strings.Contains(line, "TestConformanceMountChild/") {
			continue
		}
		switch {
		case strings.HasPrefix(line, "--- PASS"):
			passed++
		case strings.HasPrefix(line, "--- FAIL"):
			failed++
		case strings.HasPrefix(line, "--- SKIP"):
			skipped++
		}
	}
	return passed, failed, skipped
}
