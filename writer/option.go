package writer

import (
	"io/fs"

	"github.com/crashcheck/crashcheck/faultfs"
)

// Durability says which fsyncs a replace issues.
type Durability uint8

const (
	// Durable fsyncs the file before the rename and the directory after
	// it: when the replace returns nil the new content survives a power
	// loss. The default.
	Durable Durability = iota
	// FileSynced fsyncs the file but not the directory: a power loss after
	// the replace returns may still bring back the old content (never a
	// mix, never an empty file). google/renameio's level.
	FileSynced
	// NoSync issues no fsync: the replace is atomic against a crash of the
	// process, not of the machine; after a power loss the target may be
	// empty or hold part of the new content.
	NoSync
)

// String returns the level's name.
func (d Durability) String() string {
	switch d {
	case Durable:
		return "durable"
	case FileSynced:
		return "file-synced"
	case NoSync:
		return "no-sync"
	}
	return "durability(?)"
}

// An Option changes how a replace is done.
type Option interface {
	apply(*config)
}

type config struct {
	fsys           faultfs.FS
	durability     Durability
	backupSuffix   string
	keepTemp       bool
	tempPrefix     string
	tempSuffix     string
	customPattern  bool
	uid, gid       int
	owner          bool
	mode           fs.FileMode
	modeSet        bool
	replaceSymlink bool
	allowXattrLoss bool
	allowOwnerLoss bool
	beforeRename   func() error
}

func newConfig(opts []Option) config {
	c := config{fsys: faultfs.OS{}, uid: -1, gid: -1}
	for _, o := range opts {
		o.apply(&c)
	}
	return c
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithFS does all file-system work through fsys instead of [faultfs.OS].
func WithFS(fsys faultfs.FS) Option {
	return optionFunc(func(c *config) { c.fsys = fsys })
}

// WithDurability sets which fsyncs are issued; [Durable] by default.
func WithDurability(d Durability) Option {
	return optionFunc(func(c *config) { c.durability = d })
}

// WithBackup keeps the previous content at the target's name plus suffix:
// it is hard-linked there, replacing any older backup atomically, before
// the rename. Nothing is backed up when the target does not exist yet.
// With WithReplaceSymlink, the link being replaced is what is kept.
func WithBackup(suffix string) Option {
	return optionFunc(func(c *config) { c.backupSuffix = suffix })
}

// WithKeepTemp keeps the temporary file when the replace fails, for
// diagnosis; the error names it.
func WithKeepTemp() Option {
	return optionFunc(func(c *config) { c.keepTemp = true })
}

// WithTempPattern names temporary files prefix + 16 random hex digits +
// suffix instead of ".<target name>.<hex>.crashcheck-tmp". A dot is put in
// front of prefix if it does not start with one. Pass the same pattern to
// [RemoveStale] to clean such files up.
func WithTempPattern(prefix, suffix string) Option {
	return optionFunc(func(c *config) {
		c.tempPrefix, c.tempSuffix, c.customPattern = prefix, suffix, true
	})
}

// WithOwner sets the new file's owner and group; -1 leaves either as it
// would otherwise be (the target's, or the process's for a new file). It
// is an error if the process may not set them.
func WithOwner(uid, gid int) Option {
	return optionFunc(func(c *config) { c.uid, c.gid, c.owner = uid, gid, true })
}

// WithMode sets the new file's permission bits exactly (the umask does not
// apply), instead of keeping the target's or using perm &^ umask.
func WithMode(perm fs.FileMode) Option {
	return optionFunc(func(c *config) { c.mode, c.modeSet = perm, true })
}

// WithReplaceSymlink replaces a symbolic link at the target's name by a
// regular file, instead of replacing the file the link points to.
func WithReplaceSymlink() Option {
	return optionFunc(func(c *config) { c.replaceSymlink = true })
}

// WithAllowXattrLoss replaces the target even when some of its extended
// attributes (its ACL among them) cannot be read or set on the new file;
// without it such a replace fails and leaves the target unchanged. Those
// that can be kept still are. On Linux a lost ACL never widens access:
// named users and groups lose their entries, the group bits become the
// owning group's own permissions (its ACL entry masked), not the mask,
// and neither group nor other bits grant what a named entry denied (see
// "What is kept" in the package doc). On other platforms ACLs are not
// seen at all.
func WithAllowXattrLoss() Option {
	return optionFunc(func(c *config) { c.allowXattrLoss = true })
}

// WithAllowOwnerLoss replaces the target even when the new file cannot
// be given the target's owner or group (an unprivileged process replacing
// another user's file); without it such a replace fails with an
// [*OwnerError] and leaves the target unchanged. The new file is then the
// process's own, and its mode never widens access: what the group and
// other classes may do is cut to what everyone who moved between classes
// had before (see "What is kept" in the package doc). It does not apply
// to an owner asked for with [WithOwner], which is always an error if it
// cannot be set.
func WithAllowOwnerLoss() Option {
	return optionFunc(func(c *config) { c.allowOwnerLoss = true })
}

// WithBeforeRename has Commit call fn after the temporary file is
// complete (owner, attributes and mode set, fsynced at [Durable] or
// [FileSynced], closed) and just before the backup and the rename: the
// last moment at which the replace can still be abandoned. An error from
// fn abandons it (target unchanged, temporary file removed). A program
// that removes the temporary file on a signal (see [File.TempName]) uses
// fn to stop doing so once the rename may begin.
func WithBeforeRename(fn func() error) Option {
	return optionFunc(func(c *config) { c.beforeRename = fn })
}
