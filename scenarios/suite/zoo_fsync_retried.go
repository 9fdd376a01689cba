package suite

import (
	"io/fs"
	"os"

	"github.com/crashcheck/crashcheck/faultfs"
)

// fsyncRetries is how many times fsyncRetried tries fsync.
const fsyncRetries = 3

// fsyncRetried is a durable replace that treats a failed fsync as
// transient and tries again, as PostgreSQL did until 2018 ("fsyncgate"):
// but after a writeback error Linux marks the dirty pages clean and drops
// the error, so the second fsync succeeds without writing anything. The
// temp file is renamed over the target with data that never reached the
// disk, the function returns nil, and a power loss later leaves the
// target empty or stale.
func fsyncRetried(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) (err error) {
	if perm, err = targetPerm(fsys, name, perm); err != nil {
		return err
	}
	tmp := name + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			fsys.Remove(tmp)
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		for try := 1; ; try++ {
			if err = f.Sync(); err == nil || try == fsyncRetries {
				break
			}
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = fsys.Rename(tmp, name); err != nil {
		return err
	}
	return syncDir(fsys, name)
}

func init() {
	registerZoo("fsync-retried", "durable temp + rename that retries a failed fsync (fsyncgate: the retry succeeds, the data is gone)",
		fsyncRetried,
		Catch{"AtomicReplace", "posix"}, Catch{"AtomicReplace", "ext4-ordered"},
		Catch{"Durable", "posix"}, Catch{"Durable", "ext4-ordered"},
		Catch{"ReportsErrors", ""})
}
