package suite

import (
	"io/fs"
	"os"

	"github.com/crashcheck/crashcheck/faultfs"
)

// fsyncAfterRename writes the temp file, renames it over the target, and
// only then fsyncs it (and the directory): the order of code that keeps
// its file open across the rename and syncs "at the end", often in a
// deferred cleanup. Everything is durable once it returns, but between the
// rename and the fsync the name already points at data that is not on
// disk: a power loss there leaves the target empty or torn, which is
// exactly what the temp file was meant to prevent. Under ext4-ordered,
// auto_da_alloc flushes the data with the rename and hides that window;
// what remains is an fsync that fails after the rename: the error comes
// too late, the target already names data the disk dropped.
func fsyncAfterRename(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) (err error) {
	if perm, err = targetPerm(fsys, name, perm); err != nil {
		return err
	}
	tmp := name + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil && !renamed {
			fsys.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = fsys.Rename(tmp, name); err != nil {
		return err
	}
	renamed = true
	if err = f.Sync(); err != nil {
		return err
	}
	return syncDir(fsys, name)
}

func init() {
	registerZoo("fsync-after-rename", "temp file renamed over the target first, fsynced after (empty target after a power loss in between)",
		fsyncAfterRename,
		Catch{"AtomicReplace", "posix"}, Catch{"AtomicReplace", "ext4-ordered"})
}
