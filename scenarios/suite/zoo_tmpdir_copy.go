package suite

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// tmpDir is where tmpdirCopy keeps its temp file: a directory on a device
// of its own, as /tmp (a tmpfs) is on most systems.
const tmpDir = "tmp"

// tmpdirCopy is moreutils' sponge and every "safe write" that takes its
// temp file from $TMPDIR (os.CreateTemp("", ...)): the content goes to a
// temp file there, is renamed over the target, and when the rename fails
// with EXDEV, because $TMPDIR is another filesystem, the temp file is
// copied into the target instead: opened with O_TRUNC and rewritten in
// place. The fallback is truncate-in-place, with its empty file after a
// crash; and the fallback is the common case.
func tmpdirCopy(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) (err error) {
	tmp := tmpDir + "/sponge.Xk2p9Q"
	f, err := fsys.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if rerr := fsys.Remove(tmp); err == nil {
			err = rerr
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	err = fsys.Rename(tmp, name)
	if !errors.Is(err, syscall.EXDEV) {
		return err
	}
	if _, err = f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	dst, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, f)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return err
}

func init() {
	registerZooEntry(&zooEntry{
		name:        "tmpdir-copy",
		description: "sponge: temp file in $TMPDIR on another device, rename fails with EXDEV, copy into the target with O_TRUNC",
		write:       tmpdirCopy,
		setup: func(m *faultfs.Mem) error {
			if err := m.Mkdir(tmpDir, 0o1777); err != nil {
				return err
			}
			return m.AddDevice(tmpDir)
		},
		caught: []Catch{
			{"AtomicReplace", ""}, {"AtomicReplace", "process"}, {"AtomicReplace", "posix"}, {"AtomicReplace", "ext4-ordered"},
			{"Durable", "posix"}, {"Durable", "ext4-ordered"},
		},
	})
}
