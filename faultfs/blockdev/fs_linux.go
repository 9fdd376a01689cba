package blockdev

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// Filesystem is a kernel filesystem this package can record and check:
// how to make it, mount it and have its own checker judge it.
type Filesystem struct {
	Name string
	// Size is the image size used by default: the smallest that the
	// current mkfs accepts and that behaves like a real disk (ext4 below
	// 64 MiB switches to 1 KiB blocks).
	Size int64
	mkfs []string // command and arguments before the extra options and device
	// MountOpts are always added (xfs: nouuid, since every state has
	// the same UUID).
	MountOpts string
	fsck      []string // command and arguments before the image path
	// Workers is how many states may be mounted at once (btrfs: one,
	// since the kernel keys its devices by filesystem UUID).
	Workers int
	// CommitSeconds is the default interval of the filesystem's periodic
	// metadata commit, which the default settle waits past.
	CommitSeconds float64
}

// Filesystems are the supported ones, by name.
var Filesystems = map[string]*Filesystem{
	"ext4": {
		Name: "ext4", Size: 64 << 20,
		// Without lazy_*_init=0 mkfs leaves the inode tables and journal
		// to a background thread whose writes land in the recording.
		mkfs: []string{"mkfs.ext4", "-q", "-F", "-T", "default", "-E", "lazy_itable_init=0,lazy_journal_init=0"},
		fsck: []string{"e2fsck", "-f", "-n"}, Workers: 2, CommitSeconds: 5,
	},
	"xfs": {
		Name: "xfs", Size: 300 << 20,
		mkfs:      []string{"mkfs.xfs", "-q", "-f"},
		MountOpts: "nouuid",
		fsck:      []string{"xfs_repair", "-n", "-f"}, Workers: 2, CommitSeconds: 1, // xfssyncd lowered while recording
	},
	"btrfs": {
		Name: "btrfs", Size: 128 << 20,
		mkfs: []string{"mkfs.btrfs", "-q", "-f"},
		fsck: []string{"btrfs", "check", "--readonly"}, Workers: 1, CommitSeconds: 30,
	},
}

// FilesystemNames lists the supported filesystems.
const FilesystemNames = "ext4, xfs, btrfs"

// LookupFilesystem returns the named filesystem.
func LookupFilesystem(name string) (*Filesystem, error) {
	if f, ok := Filesystems[name]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("unknown filesystem %q (want %s)", name, FilesystemNames)
}

// Available reports why this filesystem's tools are missing, or nil.
func (f *Filesystem) Available() error {
	for _, tool := range []string{f.mkfs[0], f.fsck[0]} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s: %s not installed (apt-get install %s)", f.Name, tool, f.pkg())
		}
	}
	return nil
}

func (f *Filesystem) pkg() string {
	switch f.Name {
	case "xfs":
		return "xfsprogs"
	case "btrfs":
		return "btrfs-progs"
	}
	return "e2fsprogs"
}

// mountOpts joins the filesystem's own options with the user's.
func (f *Filesystem) mountOpts(user string) string {
	var o []string
	if f.MountOpts != "" {
		o = append(o, f.MountOpts)
	}
	if user != "" {
		o = append(o, user)
	}
	return strings.Join(o, ",")
}

// commitSeconds returns the periodic commit interval under opts
// (commit=N overrides the default, for ext4 and btrfs).
func (f *Filesystem) commitSeconds(opts string) float64 {
	sec := f.CommitSeconds
	if f.Name != "xfs" {
		for _, o := range strings.Split(opts, ",") {
			var n float64
			if _, err := fmt.Sscanf(o, "commit=%g", &n); err == nil && n > 0 {
				sec = n
			}
		}
	}
	return sec
}

func (f *Filesystem) makeFS(dev string, extra []string) error {
	args := append(append(append([]string(nil), f.mkfs[1:]...), extra...), dev)
	return runTool(f.mkfs[0], args...)
}

// forget makes the kernel forget unmounted btrfs devices, so that the
// next image with the same UUID can be mounted.
func (f *Filesystem) forget() {
	if f.Name == "btrfs" {
		exec.Command("btrfs", "device", "scan", "--forget").Run()
	}
}

// check runs the filesystem's checker, read-only, on an image file and
// returns "" if it found the filesystem consistent, else what it said.
func (f *Filesystem) check(image string) string {
	args := append(append([]string(nil), f.fsck[1:]...), image)
	out, err := exec.Command(f.fsck[0], args...).CombinedOutput()
	if err == nil {
		return ""
	}
	return fmt.Sprintf("%s: %v: %s", f.fsck[0], err, lastLines(out, 3))
}

func runTool(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, lastLines(out, 3))
	}
	return nil
}

func lastLines(out []byte, n int) string {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte(" / ")))
}
