package suite

import (
	"io/fs"
	"os"

	"github.com/crashcheck/crashcheck/faultfs"
)

// tempLeftOnError is a durable replace done in the right order (temp
// file written, fsynced, closed, renamed, directory fsynced) whose every
// error path is a bare "return err": the temp file stays behind after any
// failure. A disk that filled up stays full of name.tmp files, and the
// next save may trip over a stale one.
func tempLeftOnError(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) error {
	perm, err := targetPerm(fsys, name, perm)
	if err != nil {
		return err
	}
	tmp := name + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := fsys.Rename(tmp, name); err != nil {
		return err
	}
	return syncDir(fsys, name)
}

func init() {
	registerZoo("temp-left-on-error", "durable temp + rename whose error paths never remove the temp file (name.tmp left behind)",
		tempLeftOnError,
		Catch{"NoLeftovers", ""})
}
