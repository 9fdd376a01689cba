//go:build linux

package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"golang.org/x/sys/unix"
)

// copyTree copies the tree at dir (a real directory path, links resolved)
// into mem at into ("" for the root, else a directory copyTree makes), faithfully: directories, regular files and symbolic
// links (as links, their targets untouched), with permission and set-ID
// bits, owners and modification times; names hard-linked to one inode in
// dir stay one inode in mem; holes in sparse files stay holes (only data
// extents are written, found with SEEK_DATA/SEEK_HOLE); contents are
// streamed, never read whole into memory. Limits: a symbolic link keeps
// its owner but not its time (Mem.Chtimes follows links); access times
// are not kept; FIFOs, sockets and device nodes are refused with an error
// naming the path.
func copyTree(mem *faultfs.Mem, dir, into string) error {
	type dirTime struct {
		rel   string
		mtime time.Time
	}
	var dirs []dirTime
	links := map[[2]uint64]string{} // (dev, ino) -> first name copied
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		top := rel == "."
		rel = path.Join(into, filepath.ToSlash(rel))
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		if st == nil {
			return fmt.Errorf("%s: no stat information", p)
		}
		mode := fi.Mode() & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky)
		switch {
		case fi.IsDir():
			if !top || into != "" {
				if err := mem.Mkdir(rel, fi.Mode().Perm()); err != nil {
					return err
				}
			}
			if err := mem.Chown(rel, int(st.Uid), int(st.Gid)); err != nil {
				return err
			}
			if err := mem.Chmod(rel, mode); err != nil {
				return err
			}
			dirs = append(dirs, dirTime{rel, fi.ModTime()})
			return nil
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := mem.Symlink(target, rel); err != nil {
				return err
			}
			return mem.Lchown(rel, int(st.Uid), int(st.Gid))
		case fi.Mode().IsRegular():
			key := [2]uint64{uint64(st.Dev), st.Ino}
			if st.Nlink > 1 {
				if first, ok := links[key]; ok {
					return mem.Link(first, rel)
				}
				links[key] = rel
			}
			if err := copyFile(mem, p, rel, fi); err != nil {
				return err
			}
			if err := mem.Chown(rel, int(st.Uid), int(st.Gid)); err != nil {
				return err
			}
			// After the chown, which may clear set-ID bits.
			if err := mem.Chmod(rel, mode); err != nil {
				return err
			}
			return mem.Chtimes(rel, time.Time{}, fi.ModTime())
		}
		return fmt.Errorf("%s: cannot copy a %v into the test filesystem", p, fi.Mode().Type())
	})
	if err != nil {
		return err
	}
	// Directory times last: copying their entries changed them.
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := mem.Chtimes(dirs[i].rel, time.Time{}, dirs[i].mtime); err != nil {
			return err
		}
	}
	return nil
}

// copyFile copies the regular file at p to rel: its size by Truncate,
// then its data extents, streamed.
func copyFile(mem *faultfs.Mem, p, rel string, fi fs.FileInfo) error {
	src, err := os.Open(p)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := mem.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	size := fi.Size()
	err = dst.Truncate(size)
	if err == nil {
		err = forEachExtent(src, size, func(off, end int64) error {
			if _, err := dst.Seek(off, io.SeekStart); err != nil {
				return err
			}
			_, err := io.Copy(dst, io.NewSectionReader(src, off, end-off))
			return err
		})
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return err
}

// forEachExtent calls fn with each [off, end) of f holding data, as
// SEEK_DATA and SEEK_HOLE report them; where they are not supported, the
// whole file is one extent.
func forEachExtent(f *os.File, size int64, fn func(off, end int64) error) error {
	fd := int(f.Fd())
	for off := int64(0); off < size; {
		data, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			return nil // only a hole from off to the end
		}
		if err != nil {
			return fn(off, size)
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil {
			return fn(data, size)
		}
		hole = min(hole, size)
		if err := fn(data, hole); err != nil {
			return err
		}
		off = hole
	}
	return nil
}
