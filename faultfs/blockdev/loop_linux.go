package blockdev

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// loopDevice is a loop device attached to a backing file. It detaches
// itself when its last opener goes (LO_FLAGS_AUTOCLEAR): Close, after
// the filesystem on it is unmounted, or the death of this process.
type loopDevice struct {
	path string
	dev  *os.File
}

// attachLoop attaches backing (a path) to a free loop device, buffered
// (not direct I/O), read-write, with a 512-byte logical block size.
func attachLoop(backing string) (*loopDevice, error) {
	bf, err := os.OpenFile(backing, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer bf.Close()
	ctl, err := os.OpenFile("/dev/loop-control", os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("loop devices unavailable: %w", err)
	}
	defer ctl.Close()
	// Another process may take the free device between GET_FREE and
	// CONFIGURE (EBUSY): ask again.
	for try := 0; ; try++ {
		n, err := unix.IoctlRetInt(int(ctl.Fd()), unix.LOOP_CTL_GET_FREE)
		if err != nil {
			return nil, &os.PathError{Op: "loop get free", Path: "/dev/loop-control", Err: err}
		}
		path := fmt.Sprintf("/dev/loop%d", n)
		dev, err := openLoopNode(path)
		if err != nil {
			return nil, err
		}
		cfg := unix.LoopConfig{Fd: uint32(bf.Fd()), Size: 0}
		cfg.Info.Flags = unix.LO_FLAGS_AUTOCLEAR
		err = unix.IoctlLoopConfigure(int(dev.Fd()), &cfg)
		if err == nil {
			return &loopDevice{path: path, dev: dev}, nil
		}
		dev.Close()
		if !errors.Is(err, syscall.EBUSY) || try == 20 {
			return nil, &os.PathError{Op: "loop configure", Path: path, Err: err}
		}
		time.Sleep(time.Millisecond)
	}
}

// openLoopNode opens a loop device node, waiting a moment for udev (or
// devtmpfs) to create it after LOOP_CTL_GET_FREE added it.
func openLoopNode(path string) (*os.File, error) {
	for i := 0; ; i++ {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err == nil || !errors.Is(err, os.ErrNotExist) || i == 100 {
			return f, err
		}
		time.Sleep(time.Millisecond)
	}
}

// Close lets the device go: it detaches once nothing mounts it.
func (l *loopDevice) Close() error { return l.dev.Close() }

// mount mounts the device at dir and returns a function that unmounts it,
// retrying while it is busy and detaching it lazily as a last resort.
func mountDevice(dev, dir, fstype, opts string) (unmount func() error, err error) {
	if err := unix.Mount(dev, dir, fstype, 0, opts); err != nil {
		return nil, &os.PathError{Op: "mount " + fstype + " (" + opts + ")", Path: dir, Err: err}
	}
	return func() error { return unmountDir(dir) }, nil
}

func unmountDir(dir string) error {
	var err error
	for i := 0; i < 50; i++ {
		if err = unix.Unmount(dir, 0); err == nil || errors.Is(err, syscall.EINVAL) {
			return nil
		}
		if !errors.Is(err, syscall.EBUSY) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if derr := unix.Unmount(dir, unix.MNT_DETACH); derr == nil {
		return &os.PathError{Op: "unmount", Path: dir, Err: fmt.Errorf("busy, detached lazily: %w", err)}
	}
	return &os.PathError{Op: "unmount", Path: dir, Err: err}
}
