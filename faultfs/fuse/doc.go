// Package fuse serves any [faultfs.FS] over FUSE, so that programs not
// written against faultfs (shell scripts, sed, Python, sqlite3, git) can be
// run on it unmodified and every filesystem operation they make reaches the
// FS, in program order, as the operation it is.
//
// # Guarantees
//
// Kernel caching is off: every open returns FOPEN_DIRECT_IO, entry,
// attribute and negative-lookup timeouts are zero, there is no writeback
// cache and no passthrough. A write(2) therefore arrives as a write to the
// FS before the system call returns, a stat(2) always asks the FS, and a
// name resolves through the FS every time it is used.
//
// Operations map one to one:
//
//	open, creat          FS.OpenFile (O_TRUNC arrives as File.Truncate(0))
//	write, pwrite        File.WriteAt (O_APPEND writes at the FS's end of file;
//	                     O_SYNC and O_DSYNC are passed to FS.OpenFile, and the
//	                     FS makes each write durable: faultfs.Mem does)
//	fsync                File.Sync
//	fdatasync            faultfs.Datasync (File.Sync on a File without it)
//	fsync on a directory FS.OpenFile(dir, O_RDONLY), File.Sync, Close
//	truncate, ftruncate  File.Truncate
//	chmod, chown         File.Chmod/Chown on an open file, FS.Chmod/Chown by name
//	utimensat            faultfs.Chtimes (faultfs.Lchtimes on a symbolic link)
//	lchown               faultfs.Lchown
//	rename, renameat2    FS.Rename; RENAME_NOREPLACE via faultfs.RenameNoReplace
//	                     (EINVAL on an FS without it, as a filesystem without
//	                     the flag answers; mv then falls back by itself)
//	unlink, rmdir        FS.Remove
//	mkdir, symlink, link FS.Mkdir, FS.Symlink, FS.Link
//	mknod, mkfifo, bind  faultfs.Mknod (EPERM on an FS without it); the kernel
//	                     serves opens of FIFOs and devices itself
//	stat                 FS.Lstat, File.Stat on an open file: nlink, blocks,
//	                     rdev and the three times as the FS reports them
//
// close(2) of each descriptor is a FLUSH, sent while close(2) waits: on a
// File that is a [faultfs.DescriptorCloser] (a [faultfs.Mem]'s, and an
// [faultfs.Injector]'s over one) it is CloseDescriptor, which records the
// close in program order if the file was written or truncated since it was
// opened or last closed so, and keeps it open for descriptors dup(2) and
// fork(2) made. The FS's File.Close comes at the release of the last
// descriptor, which the kernel sends after close(2) returned; it records a
// close only if something was written after the last FLUSH (pages of a
// shared mmap written back late). On a File without the capability the
// close is File.Close alone, and its place in the trace is not fixed. A
// server cannot tell the last close(2) of a shared file from the others,
// so a close-time rule (ext4's auto_da_alloc) applies at each recorded
// close, earlier than Linux applies it when shared descriptors are written
// and closed in turn; a shell's > redirect records the close of the
// descriptor it dup2s onto standard output, before the write.
//
// Names handed to the FS are slash-separated and relative to its root ("."
// is the root). A file unlinked while open keeps working through its open
// handle. Hard links show as one inode.
//
// [Server.Switch] serves another tree at the same mount point without
// remounting: nodes of the new tree carry a new generation and fresh node
// ids, so the kernel drops what it knew of the old one. Descriptors opened
// before a switch keep using the old tree's files, and a process whose
// working directory lies inside a replaced directory keeps seeing the old
// one: start a process after the switch to see the new tree.
//
// # Limits
//
// What the kernel never sends cannot be seen: pages written through a shared
// mmap (allowed through FUSE_DIRECT_IO_ALLOW_MMAP, which SQLite's WAL index
// needs) reach the FS only when the kernel writes them back, as writes, at
// close or msync at the latest; syncfs(2) and sync(2) do not reach the
// server; fcntl and flock locks stay in the kernel; FICLONE never arrives.
//
// Operations the FS cannot express fail the way a filesystem without them
// fails, never succeed silently: setxattr is refused with ENOTSUP (GNU
// sed and coreutils then fall back to fchmod), getxattr answers ENODATA and
// listxattr an empty list; copy_file_range, fallocate, O_TMPFILE and mknod
// answer EOPNOTSUPP (the kernel and libc fall back to plain writes);
// RENAME_EXCHANGE and RENAME_WHITEOUT answer EINVAL; utimensat answers
// ENOTSUP on an FS without Chtimes (see faultfs's optional capabilities).
//
// The kernel applies the caller's umask before the FS sees a mode; an FS
// that applies its own umask on top (as [faultfs.OS] does) masks twice, so
// serve a filesystem with a zero umask where exact modes matter.
//
// The package is Linux-only: every file but this one is built for linux
// alone, so elsewhere it is empty. Mounting needs /dev/fuse; as root it
// uses mount(2) directly, otherwise the fusermount3 (or fusermount) helper.
package fuse
