package suite

import (
	"io/fs"
	"os"

	"github.com/crashcheck/crashcheck/faultfs"
)

// closeErrorIgnored is a durable replace whose temp file is closed by
// "defer f.Close()", the idiom for files opened for reading, used on a
// file being written: the error of close is dropped, and the close
// happens after the rename. On NFS, on FUSE filesystems and under quotas
// with delayed allocation, close is where a failed write is reported;
// here the caller is told the save succeeded.
func closeErrorIgnored(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) (err error) {
	if perm, err = targetPerm(fsys, name, perm); err != nil {
		return err
	}
	tmp := name + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	defer f.Close()
	defer func() {
		if err != nil {
			fsys.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = fsys.Rename(tmp, name); err != nil {
		return err
	}
	return syncDir(fsys, name)
}

func init() {
	registerZoo("close-error-ignored", "durable temp + rename with defer f.Close() on the written file (a failed close is reported as success)",
		closeErrorIgnored,
		Catch{"ReportsErrors", ""})
}
