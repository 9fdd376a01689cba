// Package writer replaces a file atomically and durably: after a crash at
// any instant the file holds either its whole old content or its whole new
// content, and once [WriteFile] or [File.Commit] returns nil at the default
// [Durable] level the new content survives a power loss.
//
// # How
//
// The new content is written to a temporary file in the target's own
// directory, created with O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC and mode 0600.
// Its final owner and mode are set on it before anything else can see it,
// it is fsynced, closed, renamed over the target, and the directory is
// fsynced so that the rename itself is on disk. A durable replace therefore
// costs two fsyncs, the least any correct implementation can do. The
// operations [WriteFile] issues on an existing regular target, at [Durable],
// are exactly:
//
//	lstat(target)
//	open(dir/.base.<16 hex>.crashcheck-tmp, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0600)
//	flock(temp, LOCK_EX|LOCK_NB)     unix: held until close, so RemoveStale leaves a live temp alone
//	write(temp)...                   every byte; a short write is continued
//	lstat(target)                    again at Commit: the mode, owner and attributes as they are now
//	llistxattr(target), lgetxattr(target, name)...   Linux: each extended attribute it has
//	fchown(temp)                     only if the target's owner differs from ours; on EPERM,
//	                                 fchown(temp, -1, gid) and fstat(temp): what could be kept
//	fsetxattr(temp, name, value)...  Linux: each of the target's extended attributes, its ACL included
//	fremovexattr(temp, system.posix_acl_access)   Linux: only if the target's ACL is not on the temp
//	fchmod(temp, mode)               the target's mode, or perm &^ umask for a new file
//	fsync(temp)                      never retried after a failure
//	close(temp)
//	link(target, backup temp), rename(backup temp, target+suffix)   only with [WithBackup]
//	rename(temp, target)             (os.Rename adds an lstat of target on the real filesystem)
//	open(dir, O_RDONLY), fsync(dir), close(dir)
//
// Through a [faultfs.Root] the attributes are read by open(O_PATH) of the
// target and listxattr/getxattr of /proc/self/fd/N, so that the name
// cannot escape the root.
// A new target adds a read of the umask. [FileSynced] leaves out the
// directory fsync (the level of google/renameio), [NoSync] leaves out both
// fsyncs: the replace is then atomic against a crash of the process only.
//
// # What is kept
//
// An existing target keeps its permission bits (setuid, setgid and sticky
// included) and its owner and group (see below for a process that may not
// set them), as
// they are when Commit starts: Commit looks the target up again, so a
// chmod or setfacl made while the content was being written is kept, not
// undone. On Linux it also keeps every extended attribute the process can
// see: its POSIX ACL (system.posix_acl_access), user.*, security.*
// (SELinux and Smack labels, file capabilities: security.capability is
// copied, as the setuid bit is, which only root may do) and, for a
// privileged process, trusted.*. security.ima and security.evm are not
// copied: they are hashes of the old content and metadata, wrong for the
// new file (where IMA/EVM run, the kernel computes new ones). The
// attributes are set on the temporary file before it is fsynced and
// renamed, after the owner (chown clears file capabilities) and before
// the mode. A target without an ACL gives a file without one, even in a
// directory whose default ACL the temporary file inherited; a new file
// inherits the default ACL as any new file does.
//
// An attribute that cannot be kept (the process may not set trusted.* or
// security.*, the filesystem refuses it) fails the replace, leaving the
// target unchanged and removing the temporary file; the error holds an
// [*XattrError] naming the attribute. A security label is never dropped
// silently: it is access control, and the new file would get the
// directory's default label instead. [WithAllowXattrLoss] replaces the
// target anyway, keeping what it can, and on Linux never widens access:
// a lost ACL leaves named users and groups without their entries, the
// owning group gets its own effective permissions (its entry masked, and
// no more than any named user had), and other gets no more than any named
// user or group had (a named entry that denied what other allowed
// decided for that principal); if the ACL could not even be read, the new
// file has no group or other bits. An ACL inherited from the directory
// that cannot be removed from the new file leaves it without group bits
// (they would be the inherited ACL's mask). Attributes the process cannot
// even see (trusted.* for an unprivileged one) are lost without an error.
//
// An owner or group that cannot be kept (an unprivileged process
// replacing another user's file in a directory it may write: the new file
// would be the process's, in its group) fails the replace the same way,
// leaving the target unchanged; the error holds an [*OwnerError]. The
// group alone is kept when it can be (the process is in it, or the
// directory is setgid to it). [WithAllowOwnerLoss] replaces the target
// anyway, as the process's own file, and never widens access: the old
// owner may now fall to the group or other class, so neither gets more
// than the owner bits; if the group changed, members of the new group
// (who fell to other) and of the old one (who now do) get only what both
// classes had, group & other (a root:root 0640 file becomes 0600, a 0644
// one stays 0644); setuid and setgid are cleared with the owner and group
// they named; a kept ACL, whose owner and owning-group entries now apply
// to others, leaves no group (mask) or other bits.
//
// Which filesystem's attributes are read: the [faultfs.FS] given to
// [WithFS] if it implements [XattrFS] (and its temporary file
// [XattrFile]); else, if it has an Unwrap() faultfs.FS method, the FS it
// wraps, by the same rule; on Linux, [faultfs.OS]'s and [faultfs.Root]'s
// through the system calls, and those of any other FS whose temporary
// file is, by device and inode, the real file at the same name (an
// injector of faults over faultfs.OS), by path. Any other FS (such as
// [faultfs.Mem]) is taken to have no extended attributes: an FS that
// wraps the real filesystem under other names must implement [XattrFS]
// or Unwrap, or the ACLs of its files are not seen.
//
// A new file gets perm &^ umask. [WithMode] and [WithOwner] override both;
// an explicit mode applies to a kept ACL as chmod(2) applies it (through
// the mask), already in the ACL set on the temporary file, so that the
// file never grants the old ACL's access, not even until the fchmod. Not
// carried over: other hard links to the old inode (they keep the old
// content), timestamps (the new file's are now), and on platforms other
// than Linux extended attributes and ACLs (unless the [faultfs.FS] given
// to [WithFS] implements [XattrFS]). The target is a new inode.
//
// A symbolic link is followed (up to 40 links, then ELOOP): the file it
// points to is replaced, in that file's directory, and the link stays a
// link. [WithReplaceSymlink] replaces the link itself.
//
// # Failures
//
// Every error is an *fs.PathError naming the target and wrapping the
// syscall.Errno that caused it, and its message says what was left on disk.
// Any failure before the rename leaves the target untouched and removes the
// temporary file (or keeps it, and names it, with [WithKeepTemp]). A failed
// fsync is never retried: after a writeback error Linux may already have
// dropped the dirty pages, so a second fsync can succeed without the data
// ever reaching the disk. If only the final directory fsync fails, the new
// content is in place but not yet durable: the error matches
// [ErrNotDurable] with errors.Is.
//
// The target must be a regular file or absent; a directory, device, FIFO or
// socket is refused, and so is a target whose parent directory is missing
// (parents are never created): the error then holds a [*DirError]
// saying which. [RemoveStale] deletes the temporary files a crash left
// behind, and only those.
//
// # Limits
//
//   - rename(2) must be atomic and the temporary file and the target must be
//     on the same filesystem, which holds because they share a directory.
//   - Concurrent writers to one target do not corrupt it: the last rename
//     wins and the result is one writer's whole content. Use a lock if
//     updates must not be lost.
//   - Linux: as above. Other unix systems (FreeBSD, macOS): extended
//     attributes and ACLs are not kept, and a lost ACL is not detected:
//     the new file gets the mode stat reports, so on a target with an
//     ACL, named users and groups lose their entries but the group bits
//     (there the mask, or the ACL's group entry) may grant the owning
//     group more than the ACL did. Use an [XattrFS] to keep them.
//   - Darwin: [os.File.Sync] issues
//     F_FULLFSYNC, so a durable replace also flushes the drive's cache;
//     directories are synced the same way.
//   - Windows: rename replaces the target (MoveFileEx with
//     MOVEFILE_REPLACE_EXISTING) and the file's data is flushed with
//     FlushFileBuffers, but Windows cannot fsync a directory: the rename is
//     left to NTFS's metadata journal and the directory fsync is skipped, so
//     [Durable] gives only what [FileSynced] gives. Owners are not kept,
//     O_NOFOLLOW does not exist, and the rename fails (target unchanged)
//     while another process holds the target open without
//     FILE_SHARE_DELETE. Only the read-only attribute of a mode applies.
//
// Every operation goes through a [faultfs.FS] ([faultfs.OS] by default, see
// [WithFS]), so the crashcheck harness can run the writer on its in-memory
// filesystem, inject errors at each operation and check every state a crash
// could leave.
package writer
