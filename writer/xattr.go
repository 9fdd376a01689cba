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

// XattrFS is the optional capability of a [faultfs.FS] given to [WithFS]
// whose files carry extended attributes: the writer reads the target's
// through it. Paths are not followed through a final symbolic link (the
// writer has already resolved the target). An error matching
// [errors.ErrUnsupported] or syscall.ENOTSUP means the filesystem has no
// extended attributes; syscall.ENODATA from Getxattr means the file has
// no such attribute. See "What is kept" in the package doc for the
// filesystems the writer reads without it.
type XattrFS interface {
	// Listxattr returns the names of path's extended attributes that the
	// process may see.
	Listxattr(path string) ([]string, error)
	// Getxattr returns the value of path's extended attribute attr.
	Getxattr(path, attr string) ([]byte, error)
}

// XattrFile is the optional capability of a [faultfs.File] (the temporary
// file of a replace, as the FS given to [WithFS] opened it) whose extended
// attributes can be set. A file of the real filesystem has it through its
// file descriptor on Linux.
type XattrFile interface {
	// Setxattr sets the file's extended attribute attr to data.
	Setxattr(attr string, data []byte) error
	// Removexattr removes the file's extended attribute attr; it fails
	// with syscall.ENODATA if there is none.
	Removexattr(attr string) error
}

// unwrapper is a [faultfs.FS] that passes its calls on to another, such as
// an injector of faults: the writer reads extended attributes from the FS
// it wraps when the wrapper has no [XattrFS] of its own.
type unwrapper interface {
	Unwrap() faultfs.FS
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
	cause := errnoText(e.Err)
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

// errnoText is err's syscall.Errno's text when it wraps one (without the
// operation and path around it), err's own text otherwise.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}

// xattr is one extended attribute of the target, to be set on the new file.
type xattr struct {
	name  string
	value []byte
}

// targetXattrs is what the target carries and what could not be read.
type targetXattrs struct {
	attrs      []xattr
	aclUnknown bool        // whether the target has an access ACL could not be read
	acl        []byte      // the access ACL's value, nil if none or unknown
	lost       *XattrError // the first attribute that could not be read, or nil
}

// hasACL reports whether the target has, or may have, an access ACL.
func (tx *targetXattrs) hasACL() bool { return tx.acl != nil || tx.aclUnknown }

// notCopied reports whether the attribute name is never carried over:
// the integrity hashes of IMA and EVM describe the old content (and the
// old inode's metadata), so on the new file they would be wrong, and the
// kernel computes new ones itself where those subsystems run.
func notCopied(name string) bool {
	return name == "security.ima" || name == "security.evm"
}

// readXattrs reads every extended attribute of the target at path that the
// process may see. Not supported by the filesystem means there are none.
func readXattrs(xfs XattrFS, path string) targetXattrs {
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
		if notCopied(name) {
			continue
		}
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
		if name == aclAccess {
			if value == nil {
				value = []byte{}
			}
			tx.acl = value
		}
		tx.attrs = append(tx.attrs, xattr{name, value})
	}
	return tx
}

// notSupported reports whether err says the filesystem has no extended
// attributes at all.
func notSupported(err error) bool {
	return errors.Is(err, syscall.ENOTSUP) || errors.Is(err, errors.ErrUnsupported)
}

// aclOutcome is what became of the ACL when the attributes were set.
type aclOutcome struct {
	kept  bool // the new file's ACL is the target's (none if it had none)
	clean bool // the new file has no ACL other than the target's: none inherited from the directory's default ACL remains
}

// keepXattrs sets the target's extended attributes tx on the temporary file
// xf (nil if its attributes cannot be set). Whenever the target's ACL is
// not what the new file ends with, it removes the ACL the temporary file
// may have inherited from its directory's default ACL (it would grant
// named users and groups access the target did not give them). mode, if
// explicit, is applied to the ACL's bytes before they are set, so that the
// new file never grants the old ACL's permissions, not even until the
// fchmod that follows. It returns the first attribute that could not be
// kept, or nil; the attributes it could set stay set.
func keepXattrs(xf XattrFile, tx targetXattrs, explicit *fs.FileMode) (*XattrError, aclOutcome) {
	lost := tx.lost
	if xf == nil {
		if lost == nil && len(tx.attrs) > 0 {
			lost = &XattrError{Attr: tx.attrs[0].name, Err: syscall.ENOTSUP}
		}
		// Nothing could be set, nor an inherited ACL removed.
		return lost, aclOutcome{kept: !tx.hasACL(), clean: false}
	}
	out := aclOutcome{kept: !tx.aclUnknown}
	for _, a := range tx.attrs {
		value := a.value
		if a.name == aclAccess && explicit != nil {
			value = chmodACL(value, *explicit)
		}
		if err := xf.Setxattr(a.name, value); err != nil {
			if lost == nil {
				lost = &XattrError{Attr: a.name, Err: err}
			}
			if a.name == aclAccess {
				out.kept = false
			}
		}
	}
	if out.kept && tx.acl != nil {
		out.clean = true // the target's ACL replaced any inherited one
		return lost, out
	}
	// The target has no ACL, or its ACL was not set: remove any the
	// temporary file inherited.
	err := xf.Removexattr(aclAccess)
	switch {
	case err == nil || errors.Is(err, syscall.ENODATA) || notSupported(err):
		out.clean = true
	default:
		if lost == nil {
			lost = &XattrError{Attr: aclAccess, Err: err}
		}
		out.kept = false
	}
	return lost, out
}

// POSIX ACL xattr encoding (Linux's posix_acl_xattr.h): a 4-byte version,
// then 8-byte entries of a 2-byte tag, a 2-byte permission set and a
// 4-byte id, all little-endian.
const (
	aclVersion  = 2
	aclUserObj  = 0x01
	aclUser     = 0x02
	aclGroupObj = 0x04
	aclGroup    = 0x08
	aclMask     = 0x10
	aclOther    = 0x20
)

// modeWithoutACL is the mode to give the new file when the target's access
// ACL acl is not kept, so that no principal gets more than the old file
// gave it. With an ACL the group bits of a mode show the mask, the most
// any named entry and the owning group's entry may grant, and access is
// decided by the first class that matches: owner, named user, groups
// (owning and named), other. A matching named entry decides even when it
// grants nothing, so other's permissions never reach a named user or
// group. Without the ACL only owner, group and other remain, so:
//
//   - the owner keeps its entry;
//   - the group bits become the owning group's effective permissions (its
//     entry intersected with the mask), further intersected with every
//     named user's effective permissions (a named user in the owning
//     group now falls to the group bits);
//   - the other bits become other's entry intersected with every named
//     user's and named group's effective permissions (they now fall to
//     other, unless they are in the owning group).
//
// If acl cannot be read (nil or malformed) both group and other bits are
// cleared: nothing is known of who was denied.
func modeWithoutACL(mode fs.FileMode, acl []byte) fs.FileMode {
	p, ok := parseACL(acl)
	if !ok {
		return mode &^ 0o077
	}
	mask := 7
	if p.mask >= 0 {
		mask = p.mask
	}
	group := p.group & mask & p.namedUsers
	other := p.other & p.namedUsers & p.namedGroups
	return mode&^fs.ModePerm | fs.FileMode(p.user<<6|group<<3|other)
}

// aclPerms are the permission sets of an access ACL's entries.
type aclPerms struct {
	user, group, other int
	mask               int // -1 if the ACL has none
	namedUsers         int // the intersection of every named user's effective permissions, 7 if none
	namedGroups        int // the same for named groups
}

// parseACL returns the permission sets of an access ACL.
func parseACL(b []byte) (aclPerms, bool) {
	p := aclPerms{mask: -1, namedUsers: 7, namedGroups: 7}
	if len(b) < 4 || (len(b)-4)%8 != 0 || binary.LittleEndian.Uint32(b) != aclVersion {
		return p, false
	}
	seen := 0
	var users, groups []int
	for e := b[4:]; len(e) > 0; e = e[8:] {
		tag := binary.LittleEndian.Uint16(e)
		perm := int(binary.LittleEndian.Uint16(e[2:]) & 7)
		switch tag {
		case aclUserObj:
			p.user = perm
		case aclGroupObj:
			p.group = perm
		case aclMask:
			p.mask = perm
		case aclOther:
			p.other = perm
		case aclUser:
			users = append(users, perm)
		case aclGroup:
			groups = append(groups, perm)
		default:
			return p, false // an entry this rule does not know
		}
		seen |= int(tag)
	}
	mask := 7
	if p.mask >= 0 {
		mask = p.mask
	}
	for _, u := range users {
		p.namedUsers &= u & mask
	}
	for _, g := range groups {
		p.namedGroups &= g & mask
	}
	const required = aclUserObj | aclGroupObj | aclOther
	return p, seen&required == required
}

// chmodACL returns the access ACL acl with mode applied as chmod(2)
// applies it: the owner's entry, the mask (or the owning group's entry
// when there is no mask) and other's entry take the mode's bits. A value
// it cannot parse is returned unchanged (the fchmod after it still
// applies the mode).
func chmodACL(acl []byte, mode fs.FileMode) []byte {
	if _, ok := parseACL(acl); !ok {
		return acl
	}
	p, _ := parseACL(acl)
	out := append([]byte(nil), acl...)
	for e := out[4:]; len(e) > 0; e = e[8:] {
		var perm fs.FileMode
		switch tag := binary.LittleEndian.Uint16(e); {
		case tag == aclUserObj:
			perm = mode >> 6
		case tag == aclMask, tag == aclGroupObj && p.mask < 0:
			perm = mode >> 3
		case tag == aclOther:
			perm = mode
		default:
			continue
		}
		binary.LittleEndian.PutUint16(e[2:], uint16(perm&7))
	}
	return out
}

// xattrAccess returns how the target's extended attributes are read (nil:
// fsys's files have none) and how the temporary file tf's are set (nil:
// they cannot be). An [XattrFS] of fsys's own comes first; a wrapper with
// an Unwrap() faultfs.FS method is looked through; then the system's (see
// systemXattrs).
func xattrAccess(fsys faultfs.FS, tmp string, tf faultfs.File) (XattrFS, XattrFile) {
	var xfs XattrFS
	for xfs == nil {
		if x, ok := fsys.(XattrFS); ok {
			xfs = x
			break
		}
		u, ok := fsys.(unwrapper)
		if !ok {
			xfs = systemXattrs(fsys, tmp)
			break
		}
		fsys = u.Unwrap()
	}
	xf, ok := tf.(XattrFile)
	if !ok {
		xf = fileXattrs(tf, tmp, xfs)
	}
	return xfs, xf
}
