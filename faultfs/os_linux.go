package faultfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

var (
	_ NoReplaceRenamer = OS{}
	_ Lchowner         = OS{}
	_ Chtimeser        = OS{}
	_ Lchtimeser       = OS{}

	_ NoReplaceRenamer = (*Root)(nil)
	_ Lchowner         = (*Root)(nil)
	_ Chtimeser        = (*Root)(nil)
	_ Lchtimeser       = (*Root)(nil)
)

// RenameNoReplace implements NoReplaceRenamer with renameat2(2) and
// RENAME_NOREPLACE.
func (OS) RenameNoReplace(oldpath, newpath string) error {
	if err := unix.Renameat2(unix.AT_FDCWD, oldpath, unix.AT_FDCWD, newpath, unix.RENAME_NOREPLACE); err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return nil
}

// Lchtimes implements Lchtimeser with utimensat(2) and AT_SYMLINK_NOFOLLOW.
// A zero time leaves that time unchanged, as in os.Chtimes.
func (OS) Lchtimes(name string, atime, mtime time.Time) error {
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, name, utimes(atime, mtime), unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &fs.PathError{Op: "lchtimes", Path: name, Err: err}
	}
	return nil
}

func utimes(atime, mtime time.Time) []unix.Timespec {
	ts := func(t time.Time) unix.Timespec {
		if t.IsZero() {
			return unix.Timespec{Nsec: unix.UTIME_OMIT}
		}
		return unix.NsecToTimespec(t.UnixNano())
	}
	return []unix.Timespec{ts(atime), ts(mtime)}
}

// RenameNoReplace implements NoReplaceRenamer: renameat2(2) with
// RENAME_NOREPLACE between the two parent directories, each opened through
// os.Root, so that neither name can escape the root.
func (r *Root) RenameNoReplace(oldpath, newpath string) error {
	err := r.atParents(oldpath, newpath, func(oldDir int, oldBase string, newDir int, newBase string) error {
		return unix.Renameat2(oldDir, oldBase, newDir, newBase, unix.RENAME_NOREPLACE)
	})
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return nil
}

// Lchtimes implements Lchtimeser: utimensat(2) with AT_SYMLINK_NOFOLLOW in
// the parent directory, opened through os.Root.
func (r *Root) Lchtimes(name string, atime, mtime time.Time) error {
	err := r.atParents(name, name, func(dir int, base string, _ int, _ string) error {
		return unix.UtimesNanoAt(dir, base, utimes(atime, mtime), unix.AT_SYMLINK_NOFOLLOW)
	})
	if err != nil {
		return &fs.PathError{Op: "lchtimes", Path: name, Err: err}
	}
	return nil
}

// atParents opens the directories holding a and b through the root and
// calls do with their descriptors and the names' last elements. The error
// is the bare cause: the caller names the op.
func (r *Root) atParents(a, b string, do func(aDir int, aBase string, bDir int, bBase string) error) error {
	aDir, aBase, err := r.openParent(a)
	if err != nil {
		return err
	}
	defer aDir.Close()
	bDir, bBase, err := r.openParent(b)
	if err != nil {
		return err
	}
	defer bDir.Close()
	ac, err := aDir.SyscallConn()
	if err != nil {
		return err
	}
	bc, err := bDir.SyscallConn()
	if err != nil {
		return err
	}
	var derr, berr error
	aerr := ac.Control(func(afd uintptr) {
		berr = bc.Control(func(bfd uintptr) {
			derr = do(int(afd), aBase, int(bfd), bBase)
		})
	})
	if aerr != nil {
		return aerr
	}
	if berr != nil {
		return berr
	}
	return derr
}

// openParent opens the directory holding name through the root and
// returns it with name's last element, which may not be "." or "..".
func (r *Root) openParent(name string) (*os.File, string, error) {
	dir, base := filepath.Split(filepath.Clean(name))
	if base == "." || base == ".." || base == "/" || base == "" {
		return nil, "", syscall.EBUSY
	}
	if dir == "" {
		dir = "."
	}
	f, err := r.root.Open(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, "", pe.Err
		}
		return nil, "", err
	}
	return f, base, nil
}
