package suite

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// pythonRecipe is the classic Python atomic write, as in countless
// answers and in-house "safe_write" helpers:
//
//	st = os.stat(path)
//	fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
//	try:
//	    with os.fdopen(fd, "wb") as f:
//	        f.write(data)
//	    os.replace(tmp, path)
//	except BaseException:
//	    os.unlink(tmp)
//	    raise
//	os.chown(path, st.st_uid, st.st_gid)
//	os.chmod(path, stat.S_IMODE(st.st_mode))
//
// mkstemp creates the file with O_EXCL and mode 0600; f.write loops until
// everything is written. No fsync anywhere: after a power loss the target
// may be empty (the rename reached the disk, the data did not) or still
// old after the function returned; and between os.replace and os.chmod
// the target has mode 0600, even if only the process dies. (The name
// mkstemp would draw at random is fixed here, so that every run of the
// workload makes the same operations.)
func pythonRecipe(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) (err error) {
	st, err := fsys.Stat(name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp := path.Join(path.Dir(name), "tmpq3v_8x1k")
	f, err := fsys.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fsys.Rename(tmp, name)
	}
	if err != nil {
		fsys.Remove(tmp)
		return err
	}
	if st == nil {
		return nil
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		if err := fsys.Chown(name, int(sys.Uid), int(sys.Gid)); err != nil {
			return err
		}
	}
	return fsys.Chmod(name, st.Mode())
}

func init() {
	registerZoo("python-recipe", "Python's mkstemp + write + os.replace + chown + chmod, no fsync (empty or 0600 target after a crash)",
		pythonRecipe,
		Catch{"AtomicReplace", "posix"},
		Catch{"Durable", "posix"}, Catch{"Durable", "ext4-ordered"},
		Catch{"ModePreserved", ""}, Catch{"ModePreserved", "process"}, Catch{"ModePreserved", "posix"}, Catch{"ModePreserved", "ext4-ordered"})
}
