package suite

import (
	"io/fs"

	"github.com/crashcheck/crashcheck/faultfs"
)

// noDirFsync is a careful replace that stops one step short: the temp
// file is written, fsynced, closed and renamed over the target, but the
// directory is never fsynced. This is google/renameio's level and that of
// most libraries' "atomic write". The target is never torn; but the rename
// is only a directory entry, and until the directory is synced a power
// loss may undo it: the function has returned success and the old content
// comes back.
func noDirFsync(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) (err error) {
	if perm, err = targetPerm(fsys, name, perm); err != nil {
		return err
	}
	tmp := name + ".tmp"
	defer func() {
		if err != nil {
			fsys.Remove(tmp)
		}
	}()
	if err = writeNew(fsys, tmp, data, perm, true); err != nil {
		return err
	}
	return fsys.Rename(tmp, name)
}

func init() {
	registerZoo("no-dir-fsync", "temp file written, fsynced, renamed; the directory never fsynced (renameio's level: the rename may be undone)",
		noDirFsync,
		Catch{"Durable", "posix"}, Catch{"Durable", "ext4-ordered"})
}
