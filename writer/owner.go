package writer

import (
	"errors"
	"io/fs"
	"strconv"
	"syscall"
)

// OwnerError is the cause of a replace refused because the new file could
// not be given the target's owner or group: the process may not chown to
// them (an unprivileged process replacing another user's file in a
// directory it may write). The target is unchanged. [WithAllowOwnerLoss]
// replaces it anyway, as the process's own file, with a mode that widens
// nobody's access (see "What is kept" in the package doc).
type OwnerError struct {
	UID, GID       int   // the target's owner and group that could not be kept; -1 for one that was kept
	NewUID, NewGID int   // what the new file would have had instead (-1 if unknown)
	Err            error // the cause, wrapping a syscall.Errno (EPERM)
}

func (e *OwnerError) Error() string {
	var what string
	switch {
	case e.UID >= 0 && e.GID >= 0:
		what = "owner uid " + strconv.Itoa(e.UID) + " and group gid " + strconv.Itoa(e.GID)
	case e.UID >= 0:
		what = "owner uid " + strconv.Itoa(e.UID)
	default:
		what = "group gid " + strconv.Itoa(e.GID)
	}
	return "cannot keep " + what + ": " + errnoText(e.Err)
}

func (e *OwnerError) Unwrap() error { return e.Err }

// ownerLoss says which of the target's owner and group the new file lacks.
type ownerLoss struct{ owner, group bool }

// setOwner gives the temporary file the owner and group f.uid and f.gid
// (-1 leaves one as it is). An owner the process may not set (EPERM) is
// not an error when it was only the target's, not asked for with
// WithOwner: the group alone is then tried (an owner may give its file to
// any group it is in), and setOwner returns what the file still lacks,
// with an *OwnerError unless WithAllowOwnerLoss.
func (f *File) setOwner() (ownerLoss, error) {
	err := f.f.Chown(f.uid, f.gid)
	if err == nil {
		return ownerLoss{}, nil
	}
	if f.strict || !errors.Is(err, syscall.EPERM) {
		return ownerLoss{}, err
	}
	if f.uid >= 0 && f.gid >= 0 {
		f.f.Chown(-1, f.gid) // the file's group tells whether it worked
	}
	newUID, newGID := -1, -1
	if fi, serr := f.f.Stat(); serr == nil {
		newUID, newGID = fileOwner(fi)
	}
	loss := ownerLoss{owner: f.uid >= 0 && newUID != f.uid, group: f.gid >= 0 && newGID != f.gid}
	if !loss.owner && !loss.group {
		return loss, nil // e.g. the directory is setgid to the target's group
	}
	if f.c.allowOwnerLoss {
		return loss, nil
	}
	e := &OwnerError{UID: -1, GID: -1, NewUID: newUID, NewGID: newGID, Err: err}
	if loss.owner {
		e.UID = f.uid
	}
	if loss.group {
		e.GID = f.gid
	}
	return loss, e
}

// modeAfterOwnerLoss is the mode to give a new file that lacks the
// target's owner or group (see loss), so that nobody gets more than the
// old file gave them. The new owner is the writing process: it gets the
// owner bits (the file, and its content, are now its own). Otherwise:
//
//   - a lost owner: the old owner now falls to the group or other class,
//     so neither grants more than the owner bits did; setuid is cleared
//     (it would run as the new owner);
//   - a lost group: members of the new group used to fall to other, and
//     members of the old group now do, so both classes get only what
//     both had (group & other); setgid is cleared;
//   - acl, the new file carries the target's ACL, whose entries for the
//     owner and owning group now apply to others: group (there the mask)
//     and other bits are cleared.
func modeAfterOwnerLoss(mode fs.FileMode, loss ownerLoss, acl bool) fs.FileMode {
	if !loss.owner && !loss.group {
		return mode
	}
	u, g, o := mode>>6&7, mode>>3&7, mode&7
	if acl {
		g, o = 0, 0
	}
	if loss.owner {
		mode &^= fs.ModeSetuid
		g, o = g&u, o&u
	}
	if loss.group {
		mode &^= fs.ModeSetgid
		g, o = g&o, g&o
	}
	return mode&^fs.ModePerm | u<<6 | g<<3 | o
}
