package writer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// maxSymlinks bounds how many symbolic links are followed, as Linux's
// MAXSYMLINKS does.
const maxSymlinks = 40

// target is the file a replace will rename over, after following links.
type target struct {
	path   string      // the path renamed over: the name given, or a link's destination
	dir    string      // path's directory, "" for the working directory
	base   string      // path's last element
	exists bool        // path names a regular file now
	link   bool        // path names a symbolic link that will be replaced itself
	mode   fs.FileMode // the existing file's permission and special bits
	uid    int         // the existing file's owner, -1 if unknown
	gid    int         // the existing file's group, -1 if unknown
}

// splitPath splits name after its last separator, keeping the separator in
// dir, so that dir+base is name byte for byte.
func splitPath(name string) (dir, base string) {
	i := len(name) - 1
	for i >= 0 && !os.IsPathSeparator(name[i]) {
		i--
	}
	return name[:i+1], name[i+1:]
}

// syncDirName is the name to open to fsync dir (as splitPath returns it):
// without its trailing separator, "." for the working directory.
func syncDirName(dir string) string {
	switch {
	case dir == "":
		return "."
	case len(dir) > 1 && os.IsPathSeparator(dir[len(dir)-1]) && !os.IsPathSeparator(dir[len(dir)-2]):
		return dir[:len(dir)-1]
	}
	return dir
}

// resolveTarget looks name up with one Lstat per link followed and refuses
// anything that is not a regular file or absent.
func resolveTarget(fsys faultfs.FS, name string, followLinks bool) (target, error) {
	path := name
	for hops := 0; ; hops++ {
		dir, base := splitPath(path)
		if base == "" || base == "." || base == ".." {
			return target{}, replaceErr(name, "target is a directory", syscall.EISDIR, "target unchanged")
		}
		t := target{path: path, dir: dir, base: base, uid: -1, gid: -1}
		fi, err := fsys.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			if hops > 0 {
				if err := refuseMagicLink(fsys, name); err != nil {
					return target{}, err
				}
			}
			// The parent may be missing too: creating the temporary
			// file will say so, at no extra cost here.
			return t, nil
		}
		if err != nil {
			return target{}, replaceErr(name, "look up target", err, "target unchanged")
		}
		switch m := fi.Mode(); {
		case m.IsRegular():
			t.exists = true
			t.mode = m & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
			t.uid, t.gid = fileOwner(fi)
			return t, nil
		case m&fs.ModeSymlink != 0:
			if !followLinks {
				t.link = true
				return t, nil
			}
			if hops == maxSymlinks {
				return target{}, replaceErr(name, "follow symbolic links", syscall.ELOOP, "target unchanged")
			}
			dest, err := fsys.Readlink(path)
			if err != nil {
				return target{}, replaceErr(name, "follow symbolic link "+path, err, "target unchanged")
			}
			if dest == "" {
				return target{}, replaceErr(name, "follow symbolic link "+path, syscall.ENOENT, "target unchanged")
			}
			if !filepath.IsAbs(dest) {
				// Relative to the link's directory. Not cleaned: ".."
				// after a linked directory must mean what the kernel
				// makes of it.
				dest = dir + dest
			}
			path = dest
		case m.IsDir():
			return target{}, replaceErr(name, "target is a directory", syscall.EISDIR, "target unchanged")
		default:
			return target{}, &fs.PathError{Op: opName, Path: name, Err: &replaceError{
				step: "target is " + kindOf(m) + ", not a regular file", err: syscall.EINVAL,
				left: "target unchanged", also: ErrNotRegular,
			}}
		}
	}
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "of an unsupported type " + m.Type().String()
}

// refuseMagicLink refuses name when the links followed lead nowhere but the
// kernel still reaches a file through them: a /proc "magic" link such as
// /dev/stdout -> /proc/self/fd/1 -> "pipe:[1234]", which names an open
// file, not a path a file could be renamed to.
func refuseMagicLink(fsys faultfs.FS, name string) error {
	fi, err := fsys.Stat(name)
	if err != nil {
		return nil
	}
	what := "an open file reached through a /proc link"
	if m := fi.Mode(); !m.IsRegular() && !m.IsDir() {
		what = kindOf(m) + " reached through a /proc link"
	}
	return &fs.PathError{Op: opName, Path: name, Err: &replaceError{
		step: "target is " + what + ", not a regular file", err: syscall.EINVAL,
		left: "target unchanged", also: ErrNotRegular,
	}}
}
