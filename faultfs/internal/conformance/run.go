//go:build linux

package conformance

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// Umask is the process umask while the cases run, and Mem's. It is not
// 022 so that a filesystem that ignored its umask would be caught.
const Umask = 0o027

// SetUmask sets the process umask to Umask until the test ends.
func SetUmask(t testing.TB) {
	old := syscall.Umask(Umask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// Target is a filesystem a case runs on, in a directory of its own.
type Target struct {
	// Name names the target in a failure's report.
	Name string
	// FS is the filesystem the steps call.
	FS faultfs.FS
	// Dir is prepended to every name the case uses: "" or a directory
	// ending in "/". It must exist and be empty.
	Dir string
	// Abs is what the absolute name of the case's directory starts with
	// ("/" for a filesystem whose root is the case's directory): symbolic
	// links with absolute targets are made with it, and it is replaced by
	// "/" in the transcript.
	Abs string
	// KernelRename makes rename steps call rename(2) rather than
	// FS.Rename: the os package refuses a rename onto an existing
	// directory with EEXIST before asking the kernel.
	KernelRename bool
	// RootDir, for a [faultfs.Root], is the directory it is opened on:
	// rename(2) is given names below it.
	RootDir string
}

// MemTarget is a fresh Mem with umask Umask.
func MemTarget() Target {
	return Target{Name: "Mem", FS: faultfs.NewMem(faultfs.WithUmask(Umask)), Abs: "/"}
}

// OSTarget is the real filesystem through [faultfs.OS], with the case in
// dir (absolute, existing, empty): the host's filesystem, or a mount.
func OSTarget(name, dir string) Target {
	dir = strings.TrimSuffix(dir, "/") + "/"
	return Target{Name: name, FS: faultfs.OS{}, Dir: dir, Abs: dir, KernelRename: true}
}

// RootTarget is the real filesystem through a [faultfs.Root] opened on a
// fresh temporary directory, closed when the test ends.
func RootTarget(t testing.TB) Target {
	t.Helper()
	dir := t.TempDir()
	r, err := faultfs.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return Target{Name: "Root", FS: r, KernelRename: true, RootDir: dir}
}

// Run plays c on target and returns its transcript, the tree's listing
// last. The case's directory is made mode 0755 first, whatever the umask.
func Run(t testing.TB, c Case, target Target) []Line {
	t.Helper()
	e := &Env{target: target, fsys: target.FS, prefix: target.Dir, abs: target.Abs}
	if err := e.fsys.Chmod(e.p("."), 0o755); err != nil {
		t.Fatal(err)
	}
	c.Run(e)
	e.tree()
	return e.lines
}

// Diff fails the test where two transcripts part, showing both, named
// by their targets. With detail it compares the error types and ops too.
func Diff(t testing.TB, gotName string, got []Line, wantName string, want []Line, detail bool) {
	t.Helper()
	pick := func(l Line) string {
		if detail {
			return l.Detail
		}
		return l.Short
	}
	w := max(len(gotName), len(wantName))
	var b strings.Builder
	differ := len(got) != len(want)
	for i := range max(len(got), len(want)) {
		var g, x string
		if i < len(got) {
			g = pick(got[i])
		}
		if i < len(want) {
			x = pick(want[i])
		}
		if g == x {
			fmt.Fprintf(&b, "  %*s %s\n", w, "", g)
			continue
		}
		differ = true
		fmt.Fprintf(&b, "  %-*s %s\n  %-*s %s\n", w, wantName, x, w, gotName, g)
	}
	if differ {
		t.Errorf("%s disagrees with %s:\n%s", gotName, wantName, b.String())
	}
}
