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
//	llistxattr(target), lgetxattr(target, name)...   Linux: each extended attribute it has
//	open(dir/.base.<16 hex>.crashcheck-tmp, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0600)
//	write(temp)...                   every byte; a short write is continued
//	fchown(temp)                     only if the target's owner differs from ours
//	fsetxattr(temp, name, value)...  Linux: each of the target's extended attributes, its ACL included
//	fremovexattr(temp, system.posix_acl_access)   Linux: only if the target has no ACL
//	fchmod(temp, mode)               the target's mode, or perm &^ umask for a new file
//	fsync(temp)                      never retried after a failure
//	close(temp)
//	link(target, backup temp), rename(backup temp, target+suffix)   only with [WithBackup]
//	rename(temp, target)             (os.Rename adds an lstat of target on the real filesystem)
//	open(dir, O_RDONLY), fsync(dir), close(dir)
//
// A new target adds a read of the umask. [FileSynced] leaves out the
// directory fsync (the level of google/renameio), [NoSync] leaves out both
// fsyncs: the replace is then atomic against a crash of the process only.
//
// # What is kept
//
// An existing target keeps its permission bits (setuid, setgid and sticky
// included) and, when the process may set it, its owner and group. On
// Linux it also keeps every extended attribute the process can see: its
// POSIX ACL (system.posix_acl_access), user.*, security.* (SELinux labels,
// file capabilities) and, for a privileged process, trusted.*. They are
// set on the temporary file before it is fsynced and renamed, after the
// owner (chown clears file capabilities) and before the mode. A target
// without an ACL gives a file without one, even in a directory whose
// default ACL the temporary file inherited; a new file inherits the
// default ACL as any new file does.
//
// An attribute that cannot be kept (the process may not set trusted.* or
// security.*, the filesystem refuses it) fails the replace, leaving the
// target unchanged and removing the temporary file; the error holds an
// [*XattrError] naming the attribute. [WithAllowXattrLoss] replaces the
// target anyway, keeping what it can, and never widens access: a lost ACL
// leaves named users and groups without access and gives the owning group
// its own effective permissions (its ACL entry masked), not the mask that
// ls shows as the group bits. Attributes the process cannot even see
// (trusted.* for an unprivileged one) are lost without an error.
//
// A new file gets perm &^ umask. [WithMode] and [WithOwner] override both;
// an explicit mode applies to a kept ACL as chmod(2) applies it (through
// the mask). Not carried over: other hard links to the old inode (they
// keep the old content), timestamps (the new file's are now), and on
// platforms other than Linux extended attributes and ACLs (unless the
// [faultfs.FS] given to [WithFS] reads and sets them). The target is a new
// inode.
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
// (parents are never created). [RemoveStale] deletes the temporary files a
// crash left behind, and only those.
//
// # Limits
//
//   - rename(2) must be atomic and the temporary file and the target must be
//     on the same filesystem, which holds because they share a directory.
//   - Concurrent writers to one target do not corrupt it: the last rename
//     wins and the result is one writer's whole content. Use a lock if
//     updates must not be lost.
//   - Linux and other unix systems: as above. Darwin: [os.File.Sync] issues
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
