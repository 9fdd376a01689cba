package suite

import (
	"io/fs"

	"github.com/crashcheck/crashcheck/faultfs"
)

// backupByRename is how vim writes a file by default ('writebackup' on,
// 'backupcopy' "no" where it can): the original is renamed to name+"~" as
// a backup, a new file is created under the name with the original's mode
// and written, fsynced and closed, and the backup is deleted. If writing
// fails, the backup is renamed back. Between the first rename and the
// create the target does not exist at all; until the new file is written
// it is empty or partial. The backup is on disk, but the program that
// reads the target does not know to look for it.
func backupByRename(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) (err error) {
	if perm, err = targetPerm(fsys, name, perm); err != nil {
		return err
	}
	backup := name + "~"
	if err = fsys.Rename(name, backup); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			fsys.Rename(backup, name)
		}
	}()
	if err = writeNew(fsys, name, data, perm, true); err != nil {
		return err
	}
	return fsys.Remove(backup)
}

func init() {
	registerZoo("backup-by-rename", "vim's writebackup: rename the original to name~, write a new file under the name, delete the backup (no target after a crash)",
		backupByRename,
		Catch{"AtomicReplace", "process"}, Catch{"AtomicReplace", "posix"}, Catch{"AtomicReplace", "ext4-ordered"},
		Catch{"Durable", "posix"})
}
