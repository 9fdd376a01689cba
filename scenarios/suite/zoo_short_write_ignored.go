package suite

import (
	"io/fs"
	"os"

	"github.com/crashcheck/crashcheck/faultfs"
)

// shortWriteIgnored is a durable replace (temp file, fsync, rename,
// directory fsync) that checks its write the way C code checks write(2):
// "if (write(fd, buf, len) < 0)". A write that made some progress is taken
// for a whole one, its error dropped, so a disk that fills up mid-write
// yields a truncated target and a nil error. io.Writer promises an error
// with any short count; this code reads the count and not the error.
func shortWriteIgnored(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) (err error) {
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
	if n, werr := f.Write(data); n == 0 && werr != nil {
		err = werr
	}
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
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
	registerZoo("short-write-ignored", "durable temp + rename that treats a short write as done (truncated target, nil error, on a full disk)",
		shortWriteIgnored,
		Catch{"AtomicReplace", ""}, Catch{"AtomicReplace", "process"}, Catch{"AtomicReplace", "posix"}, Catch{"AtomicReplace", "ext4-ordered"},
		Catch{"Durable", "process"}, Catch{"Durable", "posix"}, Catch{"Durable", "ext4-ordered"},
		Catch{"ReportsErrors", ""})
}
