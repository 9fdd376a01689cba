package blockdev

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// RecordOptions say what to record.
type RecordOptions struct {
	FS        *Filesystem
	Size      int64    // image size (default FS.Size)
	MkfsOpts  []string // extra mkfs arguments
	MountOpts string   // extra mount options
	// Settle is how long to keep recording after the workload returns,
	// so that the writes the kernel makes on its own (writeback, the
	// periodic journal commit) are in the log; then a syncfs(2) writes
	// out the rest, recorded too. A negative Settle means the default:
	// past the filesystem's periodic commit ([DefaultSettle]).
	Settle time.Duration
	// Setup fills the fresh filesystem, mounted at dir, before recording;
	// it is then synced and the recording starts from it (durable).
	Setup func(dir string) error
	// Workload runs on the filesystem mounted at dir while recording; its
	// error (a command that failed) is kept in Info.ExitOK.
	Workload func(dir string) error
	// After, if set, sees the filesystem once the recording is over and
	// before it is unmounted (to read the final content of a target).
	After func(dir string) error
	// TempDir holds the mount points (default os.TempDir()).
	TempDir string
	// Name is Info.Workload.
	Name string
}

// DefaultSettle is the settle used when none is given: one and a half
// periodic commits of the filesystem under the mount options plus a
// second, so that a metadata change the workload left unsynced is
// committed by the kernel on its own schedule while its data may still
// be dirty (the order that loses data), before the final syncfs.
func DefaultSettle(f *Filesystem, mountOpts string) time.Duration {
	return time.Duration((f.commitSeconds(mountOpts)*1.5 + 1) * float64(time.Second))
}

// ErrNeedRoot is returned by Record and Check when not run as root.
var ErrNeedRoot = errors.New("recording a kernel filesystem needs root (FUSE, loop devices, mount)")

// Available reports why kernel filesystems cannot be recorded here, or
// nil: root, /dev/fuse, /dev/loop-control.
func Available() error {
	if os.Geteuid() != 0 {
		return ErrNeedRoot
	}
	for _, p := range []string{"/dev/fuse", "/dev/loop-control"} {
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("%s unavailable: %w", p, err)
		}
		f.Close()
	}
	return nil
}

// Record makes a fresh filesystem on a recording device, runs Setup,
// syncs, records Workload and what the kernel writes for Settle after
// it and for a final syncfs, and returns the log. Everything it mounts
// or attaches is gone when it returns. Recordings on this machine are
// serialised (a lock file in /run), since the xfs log interval is
// lowered machine-wide while xfs is recorded.
func Record(opt RecordOptions) (log *Log, err error) {
	if err := Available(); err != nil {
		return nil, err
	}
	if err := opt.FS.Available(); err != nil {
		return nil, err
	}
	if opt.Size <= 0 {
		opt.Size = opt.FS.Size
	}
	if opt.Settle < 0 {
		opt.Settle = DefaultSettle(opt.FS, opt.MountOpts)
	}
	unlock, err := lockRecording()
	if err != nil {
		return nil, err
	}
	defer unlock()
	tmp, err := os.MkdirTemp(opt.TempDir, "crashcheck-record-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	devDir, mnt := filepath.Join(tmp, "dev"), filepath.Join(tmp, "mnt")
	for _, d := range []string{devDir, mnt} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return nil, err
		}
	}
	dev, err := NewDevice(devDir, NewImage(opt.Size))
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := dev.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	loop, err := attachLoop(dev.Path())
	if err != nil {
		return nil, err
	}
	defer loop.Close()
	if err := opt.FS.makeFS(loop.path, opt.MkfsOpts); err != nil {
		return nil, err
	}
	opt.FS.forget()
	mopts := opt.FS.mountOpts(opt.MountOpts)
	if opt.FS.Name == "xfs" {
		// The log worker's interval is read when a mount queues it: set
		// it before mounting. The setting exists once xfs is loaded,
		// which a first mount does.
		if _, err := os.Stat(xfssyncd); err != nil {
			if um, err := mountDevice(loop.path, mnt, opt.FS.Name, mopts); err == nil {
				um()
			}
		}
		restore := setSysctl(xfssyncd, "100")
		defer restore()
	}
	unmount, err := mountDevice(loop.path, mnt, opt.FS.Name, mopts)
	if err != nil {
		return nil, err
	}
	mounted := true
	defer func() {
		if mounted {
			if uerr := unmount(); uerr != nil && err == nil {
				err = uerr
			}
		}
	}()
	if opt.Setup != nil {
		if err := opt.Setup(mnt); err != nil {
			return nil, fmt.Errorf("setting up the %s filesystem: %w", opt.FS.Name, err)
		}
	}
	if err := syncFS(mnt); err != nil {
		return nil, err
	}
	dev.Record()
	werr := opt.Workload(mnt)
	exit := dev.Logged()
	time.Sleep(opt.Settle)
	serr := syncFS(mnt)
	if opt.After != nil && serr == nil {
		serr = opt.After(mnt)
	}
	base, entries := dev.Stop()
	if serr != nil {
		return nil, serr
	}
	mounted = false
	if err := unmount(); err != nil {
		return nil, err
	}
	return &Log{
		Info: Info{FS: opt.FS.Name, MkfsOpts: opt.MkfsOpts, MountOpts: opt.MountOpts, Workload: opt.Name,
			Exit: exit, ExitOK: werr == nil, Settle: opt.Settle.Seconds()},
		Base: base, Entries: entries,
	}, nil
}

func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return &os.PathError{Op: "syncfs", Path: dir, Err: err}
	}
	return nil
}

// xfssyncd is the interval of xfs's periodic log force, in centiseconds.
const xfssyncd = "/proc/sys/fs/xfs/xfssyncd_centisecs"

const lockPath = "/run/crashcheck-blockdev.lock"

// lockRecording takes the machine-wide recording lock.
func lockRecording() (func(), error) {
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, &os.PathError{Op: "flock", Path: lockPath, Err: err}
	}
	return func() { f.Close() }, nil
}

// setSysctl writes value to a /proc/sys file and returns what puts the
// old value back; it does nothing if the file is missing.
func setSysctl(path, value string) (restore func()) {
	old, err := os.ReadFile(path)
	if err != nil {
		return func() {}
	}
	if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
		return func() {}
	}
	prev := strings.TrimSpace(string(old))
	if _, err := strconv.Atoi(prev); err != nil {
		return func() {}
	}
	return func() { os.WriteFile(path, []byte(prev), 0o644) }
}
