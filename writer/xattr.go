package writer

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// aclAccess is the extended attribute that holds a file's POSIX access ACL.
const aclAccess = "system.posix_acl_access"

// xattrFS is the optional capability of a filesystem whose files carry
// extended attributes. Paths are not followed through a final symbolic
// link (the writer has already resolved the target). A filesystem without
// it has no extended attributes to keep. On Linux, faultfs.OS and
// *faultfs.Root have it through the system calls.
type xattrFS interface {
	// Listxattr returns the names of path's extended attributes that the
	// process may see.
	Listxattr(path string) ([]string, error)
	// Getxattr returns the value of path's extended attribute attr.
	Getxattr(path, attr string) ([]byte, error)
}

// xattrFile is the optional capability of an open file whose extended
// attributes can be set: the temporary file of a replace.
type xattrFile interface {
	// Setxattr sets the file's extended attribute attr to data.
	Setxattr(attr string, data []byte) error
	// Removexattr removes the file's extended attribute attr; it fails
	// with ENODATA if there is none.
	Removexattr(attr string) error
}

// XattrError is the cause of a replace refused because an extended
// attribute of the target (its ACL is one, "system.posix_acl_access")
// could not be read from it or set on the new file. The target is
// unchanged. [WithAllowXattrLoss] replaces it anyway.
type XattrError struct {
	Attr string // the attribute's name, "" if the list could not be read
	Err  error  // the cause, wrapping a syscall.Errno
}

func (e *XattrError) Error() string {
	cause := e.Err.Error()
	var errno syscall.Errno
	if errors.As(e.Err, &errno) {
		cause = errno.Error()
	}
	if e.Attr == "" {
		return "cannot list extended attributes: " + cause
	}
	what := "extended attribute " + e.Attr
	if e.Attr == aclAccess {
		what = "ACL (" + aclAccess + ")"
	}
	return "cannot keep " + what + ": " + cause
}

func (e *XattrError) Unwrap() error { return e.Err }

// xattr is one extended attribute of the target, to be set on the new file.
type xattr struct {
	name  string
	value []byte
}

// targetXattrs is what the target carries and what could not be read.
type targetXattrs struct {
	attrs      []xattr
	hasACL     bool        // attrs holds an access ACL
	aclUnknown bool        // whether the target has an access ACL could not be read
	acl        []byte      // the access ACL's value, nil if none or unknown
	lost       *XattrError // the first attribute that could not be read, or nil
}

// readXattrs reads every extended attribute of the target at path that the
// process may see. Not supported by the filesystem means there are none.
func readXattrs(xfs xattrFS, path string) targetXattrs {
	var tx targetXattrs
	names, err := xfs.Listxattr(path)
	if err != nil {
		if notSupported(err) {
			return tx
		}
		// The list is unknown; the ACL may still be readable, and it
		// decides the mode.
		tx.lost = &XattrError{Err: err}
		names = []string{aclAccess}
	}
	for _, name := range names {
		value, err := xfs.Getxattr(path, name)
		switch {
		case errors.Is(err, syscall.ENODATA) || err != nil && notSupported(err):
			continue // removed since the list was read, or never there
		case err != nil:
			if tx.lost == nil {
				tx.lost = &XattrError{Attr: name, Err: err}
			}
			if name == aclAccess {
				tx.aclUnknown = true
			}
			continue
		}
		tx.attrs = append(tx.attrs, xattr{name, value})
		if name == aclAccess {
			tx.hasACL, tx.acl = true, value
		}
	}
	return tx
}

// notSupported reports whether err says the filesystem has no extended
// attributes at all.
func notSupported(err error) bool {
	return errors.Is(err, syscall.ENOTSUP) || errors.Is(err, errors.ErrUnsupported)
}

// keepXattrs sets the target's extended attributes on the temporary file tf
// and, for an existing target without an access ACL, removes the one the
// temporary file may have inherited from its directory's default ACL (it
// would grant named users and groups access the target did not give them).
// It returns the first attribute that could not be kept, or nil, and
// whether the new file's ACL is now the target's (none if it had none); the
// attributes it could set stay set.
func keepXattrs(tf faultfs.File, tx targetXattrs) (lost *XattrError, aclKept bool) {
	xf, ok := tf.(xattrFile)
	if !ok {
		xf = fileXattrs(tf)
	}
	lost = tx.lost
	if xf == nil {
		if lost == nil && len(tx.attrs) > 0 {
			lost = &XattrError{Attr: tx.attrs[0].name, Err: syscall.ENOTSUP}
		}
		return lost, !tx.hasACL && !tx.aclUnknown
	}
	aclKept = !tx.aclUnknown
	for _, a := range tx.attrs {
		if err := xf.Setxattr(a.name, a.value); err != nil {
			if lost == nil {
				lost = &XattrError{Attr: a.name, Err: err}
			}
			if a.name == aclAccess {
				aclKept = false
			}
		}
	}
	if !tx.hasACL && !tx.aclUnknown {
		if err := xf.Removexattr(aclAccess); err != nil && !errors.Is(err, syscall.ENODATA) && !notSupported(err) {
			if lost == nil {
				lost = &XattrError{Attr: aclAccess, Err: err}
			}
			aclKept = false
		}
	}
	return lost, aclKept
}

// POSIX ACL xattr encoding (Linux's posix_acl_xattr.h): a 4-byte version,
// then 8-byte entries of a 2-byte tag, a 2-byte permission set and a
// 4-byte id, all little-endian.
const (
	aclVersion  = 2
	aclUserObj  = 0x01
	aclGroupObj = 0x04
	aclMask     = 0x10
	aclOther    = 0x20
)

// modeWithoutACL is the mode to give the new file when the target's access
// ACL acl is not kept. Without an ACL the group bits of a mode grant the
// owning group; with one they show the mask, the most any named user or
// group entry and the owning group's entry may grant. So the group bits
// become the owning group's effective permissions, its entry intersected
// with the mask, and no principal gets more than the old file gave it:
// the owner keeps its entry, others theirs, the owning group what it had,
// and named users and groups lose their access. If acl cannot be read
// (nil or malformed) the group bits are cleared.
func modeWithoutACL(mode fs.FileMode, acl []byte) fs.FileMode {
	user, group, mask, other, ok := parseACL(acl)
	if !ok {
		return mode &^ 0o070
	}
	if mask >= 0 {
		group &= mask
	}
	return mode&^fs.ModePerm | fs.FileMode(user<<6|group<<3|other)
}

// parseACL returns the permission sets of an access ACL's owner, owning
// group, mask (-1 if it has none) and other entries.
func parseACL(b []byte) (user, group, mask, other int, ok bool) {
	if len(b) < 4 || (len(b)-4)%8 != 0 || binary.LittleEndian.Uint32(b) != aclVersion {
		return 0, 0, 0, 0, false
	}
	mask = -1
	seen := 0
	for e := b[4:]; len(e) > 0; e = e[8:] {
		tag := binary.LittleEndian.Uint16(e)
		perm := int(binary.LittleEndian.Uint16(e[2:]) & 7)
		switch tag {
		case aclUserObj:
			user = perm
		case aclGroupObj:
			group = perm
		case aclMask:
			mask = perm
		case aclOther:
			other = perm
		default:
			continue
		}
		seen |= int(tag)
	}
	const required = aclUserObj | aclGroupObj | aclOther
	return user, group, mask, other, seen&required == required
}
