package suite

import (
	"errors"
	"io/fs"

	"github.com/crashcheck/crashcheck/faultfs"
)

// removeThenRename is a durable replace written for a platform whose
// rename refuses to replace an existing file (Windows' MoveFile, and Go's
// os.Rename there before Go 1.5, Python 2's os.rename): the target is
// removed first, then the temp file renamed into its place. Code ported
// from there, and libraries that kept the workaround, carry a window in
// which the target does not exist: a crash of the process there leaves
// no file at all.
func removeThenRename(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) (err error) {
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
	if err = fsys.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err = fsys.Rename(tmp, name); err != nil {
		return err
	}
	return syncDir(fsys, name)
}

func init() {
	registerZoo("remove-then-rename", "durable temp file, but the target is removed before the rename (no target after a crash in between)",
		removeThenRename,
		Catch{"AtomicReplace", ""}, Catch{"AtomicReplace", "process"}, Catch{"AtomicReplace", "posix"}, Catch{"AtomicReplace", "ext4-ordered"})
}
