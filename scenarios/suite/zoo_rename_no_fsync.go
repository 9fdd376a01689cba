package suite

import (
	"io/fs"

	"github.com/crashcheck/crashcheck/faultfs"
)

// renameNoFsync writes name+".tmp", gives it the target's mode and renames
// it over the target, without a single fsync: the replace most Go
// programs hand-roll (os.WriteFile(tmp); os.Rename(tmp, name)), careful
// enough to keep the mode and remove the temp file on failure. It is
// atomic as long as only the process dies. After a power loss the rename
// may be on disk before the data it names, so the target can come back
// empty or partial; and nothing is durable when it returns. ext4's
// auto_da_alloc happens to flush the data of a file renamed over an
// existing one, which hides the first half of this bug there, not the
// second.
func renameNoFsync(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) (err error) {
	if perm, err = targetPerm(fsys, name, perm); err != nil {
		return err
	}
	tmp := name + ".tmp"
	defer func() {
		if err != nil {
			fsys.Remove(tmp)
		}
	}()
	if err = writeNew(fsys, tmp, data, perm, false); err != nil {
		return err
	}
	return fsys.Rename(tmp, name)
}

func init() {
	registerZoo("rename-no-fsync", "write name.tmp, rename it over the target, no fsync at all (empty target after a power loss)",
		renameNoFsync,
		Catch{"AtomicReplace", "posix"},
		Catch{"Durable", "posix"}, Catch{"Durable", "ext4-ordered"})
}
