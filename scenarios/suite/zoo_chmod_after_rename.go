package suite

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// chmodAfterRename does everything durably (temp file fsynced, renamed,
// directory fsynced) but sets the target's owner and mode last, on the
// name, after the rename: the order of code that creates its temp file
// with os.CreateTemp (always mode 0600) and "fixes up" permissions at the
// end. Until the chmod, the target holds the new content with the temp
// file's 0600 mode: a crash there, even of the process alone, leaves a
// file that its readers (a web server, another user) cannot open. And the
// chmod itself is never fsynced.
func chmodAfterRename(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) (err error) {
	mode, uid, gid := perm, -1, -1
	info, err := fsys.Stat(name)
	switch {
	case err == nil:
		mode = info.Mode()
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			uid, gid = int(st.Uid), int(st.Gid)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	tmp := name + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
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
	if err := syncDir(fsys, name); err != nil {
		return err
	}
	if uid >= 0 {
		if err := fsys.Chown(name, uid, gid); err != nil {
			return err
		}
	}
	return fsys.Chmod(name, mode)
}

func init() {
	registerZoo("chmod-after-rename", "durable temp + rename, then chown and chmod the target (mode 0600 after a crash in between)",
		chmodAfterRename,
		Catch{"ModePreserved", ""}, Catch{"ModePreserved", "process"}, Catch{"ModePreserved", "posix"}, Catch{"ModePreserved", "ext4-ordered"})
}
