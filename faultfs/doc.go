// Package faultfs is a filesystem layer that can fail, tear or crash at any
// operation, and an in-memory filesystem that knows what a crash keeps.
//
// # Interfaces
//
// [FS] and [File] mirror the os package (an *os.File is a File), so code
// adapts by replacing os.X( with fsys.X(. The rarer operations that every
// implementation has (Link, Symlink, Readlink, Chown, ReadDir, MkdirAll)
// are on FS itself. The ones that not every filesystem has are optional
// capabilities in the io/fs style, an interface and a helper of the same
// name that uses it or falls back:
//
//	capability         helper           without it                              Mem  Injector   OS, Root
//	-----------------  ---------------  --------------------------------------  ---  ---------  --------
//	NoReplaceRenamer   RenameNoReplace  EINVAL, as renameat2 without the flag   yes  passed on  Linux
//	Lchowner           Lchown           Chown if not a link, else ENOTSUP       yes  passed on  yes
//	Chtimeser          Chtimes          ENOTSUP                                 yes  passed on  yes
//	Lchtimeser         Lchtimes         Chtimes if not a link, else ENOTSUP     yes  passed on  Linux
//	Mknoder            Mknod            EPERM, as mknod(2) where unsupported    yes  passed on  OS (Linux, macOS)
//	Umasker            Umask            022                                     yes  passed on  yes (process umask)
//	Acker              Ack              nothing (nil)                           yes  passed on  no
//	Datasyncer (File)  Datasync         Sync; fdatasync on an *os.File (Linux)  yes  passed on  *os.File
//
// The [Injector] has every capability, passes each call on through the
// helper (so it behaves exactly as the FS it wraps) and traces it as an op
// (all but Umask, which asks and changes nothing). [SyncFailer] is not a
// capability of this kind: it is how the Injector fails an fsync on a [Mem]
// file the way Linux does, and has no helper.
//
// Errors are *fs.PathError or *os.LinkError wrapping a syscall.Errno,
// exactly where the os package returns them, so errors.Is works the same on
// [OS], [Root], [Mem] and an [Injector].
//
// # Mem and crash states
//
// [Mem] logs every operation that changes the disk, with the inodes and
// directory entries it touches. [Mem.History] freezes the log; crash point k
// of a history is the moment after its first k operations, and
// [History.Enumerate] visits every state the disk may hold after a crash
// there: the durable state (the snapshot taken by [Mem.MakeDurable] plus
// every operation made durable by an fsync before k) plus a subset of the
// operations still pending at k, as the persistence model allows. One
// recorded run gives every crash point; nothing is re-run.
//
// Enumeration is exhaustive while a point has at most MaxStates candidate
// states (default 4096). Beyond that it visits the states ALICE found most
// telling (every prefix of the pending operations, each one dropped, each
// one alone; under ext4-ordered, each journal prefix with all, none, and
// all but one of the pending data writes) and then a sample drawn from a
// PCG generator seeded by the caller's seed and the point: the same
// history, model, point and seed give the same states in the same order,
// and no map iteration order decides anything. Identical states are visited
// once. States share file data with the snapshot and the logged writes: a
// state is a list of runs of immutable memory, so visiting a state of a
// 64 MiB file copies nothing.
//
// # Acknowledgements
//
// Code under test marks the moment it acknowledges something (a reply
// sent, a line printed) with [Ack]; on a [Mem] or an [Injector] the mark is
// an operation of the log (OpAck) that changes nothing on disk. It is a
// point in the op sequence, as ALICE treats a write to stdout: the crash
// point just before an ack and the one just after it hold the same disk
// states, but only the second has the ack among [History.AcksBefore] (and
// [CrashState.Acks]), so an invariant can demand "every acknowledged
// record survives" there and only "old or new" before.
//
// # Persistence models
//
// An operation is pending at a crash point when it completed before the
// point and nothing made it durable yet. The models decide which pending
// operations a crash may keep. They are the values [Process], [POSIX],
// [Ext4Ordered], [XFS] and [Btrfs]; [ParseModel] finds one by the name in
// the first column. [Models] lists them all; [DefaultModels], what a check
// that names none runs, is process, posix and ext4-ordered.
//
//	model         rule                                                            source
//	------------  --------------------------------------------------------------  ---------------------------------------------
//	process       every completed operation survives; nothing is pending          kill -9: the page cache survives the process
//	posix         fsync(file) makes the file's data, size, mode and owner          POSIX fsync(2); ALICE (Pillai et al., OSDI'14)
//	              durable, not its name
//	posix         fdatasync(file) ([Datasync]) makes the file's data and size      fdatasync(2): metadata "needed in order to allow
//	              durable, not its mode or owner                                  a subsequent data retrieval" only (st_size yes)
//	posix         a write through a file opened with O_DSYNC is durable when it   open(2) O_DSYNC, O_SYNC ("synchronized I/O data/
//	              returns, with the size to read it back; with O_SYNC, so is      file integrity completion"); Linux
//	              the file's earlier metadata (size, mode, owner); earlier         generic_write_sync syncs the written range only
//	              writes elsewhere in the file stay pending
//	posix         fsync(dir) makes the directory's entries durable (creations,    POSIX fsync(2) on a directory; ALICE; CrashMonkey
//	              unlinks, renames in or out)                                     (Mohan et al., OSDI'18) "persist the dirent"
//	posix         a rename is durable once both its directories are synced        ALICE: rename persists as one unit
//	posix         each pending operation may persist or not, independently of    ALICE's weakest abstract persistence model
//	              all others, in any order
//	posix         a rename is atomic: old name or new name, never neither         POSIX rename(2)
//	posix         a pending write persists sector by sector (512 B, in at most    ALICE "atomicity of writes"; LazyFS torn writes
//	              MaxTornPieces pieces); a sector not reached keeps its old
//	              bytes, or zeros past the old end of file
//	ext4-ordered  metadata operations (create, unlink, rename, mkdir, link,       ext4 journal, data=ordered (Documentation/
//	              symlink, truncate, chmod, chown) persist in order: a prefix     filesystems/ext4); ALICE's ext4 model
//	ext4-ordered  fsync of a directory commits the journal: every earlier         ext4_fsync_journal: ext4_force_commit for
//	              metadata operation becomes durable                              !S_ISREG (before 6.4: ext4_should_journal_data)
//	ext4-ordered  fsync or an O_SYNC write of a file commits every metadata       ext4_fsync_journal: jbd2_complete_transaction
//	              operation up to the last that changed its inode (creation,      of i_sync_tid (i_datasync_tid for datasync);
//	              link, unlink, rename of it, truncate, chmod, chown; not a       ext4_update_inode_fsync_trans; kernel
//	              write); fdatasync or an O_DSYNC write up to its last creation   recording fsync-clean-other (faultfs/blockdev):
//	              or truncation; a file unchanged since commits nothing           fsync of a clean file left a rename pending
//	ext4-ordered  pending data writes may each be lost, whole (delayed            ext4 delalloc; the zero-length-file reports of
//	              allocation), independently                                      2009 (Ts'o)
//	ext4-ordered  rename over an existing file flushes the renamed file's data    ext4 auto_da_alloc (mount option, default on)
//	              with the rename; close after truncating a file to zero
//	              flushes what was written since
//	xfs           metadata operations persist in order: a prefix (the log up    xfs log recovery replays whole checkpoints
//	              to its last complete checkpoint)                                 in order (fs/xfs/xfs_log_recover.c)
//	xfs           fsync, fdatasync or an O_SYNC/O_DSYNC write of a file, fsync    xfs_file_fsync, xfs_dir_fsync:
//	              of a directory, makes every metadata operation durable up to    xfs_log_force_seq(inode's commit seq);
//	              the last one that logged that inode (create, link, unlink,      the log is one sequence
//	              rename in or of it, truncate, chmod, chown; not a write)
//	xfs           pending data writes persist, or not, independently of the log   no data=ordered; overwrites are not logged;
//	              and of each other, sector by sector (as posix tears them)       size logged at I/O end (xfs_setfilesize)
//	xfs           no flush at rename over a file: a renamed, never-fsynced file   no auto_da_alloc; kernel recordings (issue
//	              may be empty; a close after truncating starts writeback          12: rename-no-fsync showed empty);
//	              (XFS_ITRUNCATED) but orders nothing, so gives no rule           xfs_release filemap_flush does not wait
//	btrfs         after the last operation that may write the log tree (fsync,    btrfs transaction commit; delalloc data is
//	              fdatasync, a synchronous or failed fsync, an entry op on an      committed with its ordered extent
//	              inode or directory fsynced earlier): metadata in order (a
//	              prefix), and a pending write only with every metadata
//	              operation before it, torn only at 4 KiB blocks
//	btrfs         up to that operation, each pending operation may persist or     the log tree carries an inode, its new names,
//	              not, independently (as posix): what the log tree holds is       ancestors, conflicting inodes; "Btrfs: sync
//	              not modelled                                                    log after logging new name" (4.18)
//	btrfs         no rule for rename over a file or close after truncation: both  btrfs_rename, btrfs_release_file:
//	              only start writeback                                            filemap_flush does not wait
//	posix, ext4   after an fsync failed with a writeback error (EIO, ENOSPC,      Linux writeback error handling ("fsyncgate",
//	              EDQUOT), the file's data written since its last good fsync      PostgreSQL 2018); Rebello et al., ATC'20;
//	              is lost; reads still see it; a later fsync succeeds             mm/filemap.c mapping_set_error
//	all           an fsync failed with any other errno (EINTR: interrupted)       fsync(2): EINTR, EBADF, EROFS, EINVAL are
//	              did nothing: the data stays pending, a retry makes it durable   not writeback failures; PostgreSQL pg_fsync
//
// The xfs and btrfs models are checked against recordings of the kernel
// filesystems (faultfs/blockdev TestModelSoundness): every outcome xfs
// and btrfs showed is one they allow. They allow no fewer outcomes of one
// replaced file than posix does (a write may tear, a truncation persist
// without the data after it); what they forbid is disorder across
// operations (a later metadata change without an earlier one, under
// btrfs data written after a change without it).
//
// The ext4-ordered model is an approximation: it treats each metadata
// operation as its own journal transaction (a finer grain than ext4's
// batching, so it allows more states, never fewer), never tears a data
// write, and counts only the commits a sync must make (a write never
// counts as changing its inode, though at writeback it may, and so make
// the kernel commit more). It is checked against kernel recordings too
// (ext4 with its default options).
//
// # Limits
//
// A synchronous write (O_SYNC, O_DSYNC) is whole at every crash point
// after it and absent at every point before it: a crash during the call is
// the Injector's TornWrite, not a crash state.
//
// Mem does not enforce permission bits (it acts as root), and has no
// extended attributes. FIFOs, sockets' names and device nodes ([Mknoder])
// are entries with a type, mode and device number and no data: opened
// through Mem they fail with ENXIO (over FUSE the kernel serves them);
// in the crash model making one is a metadata operation like create
// (OpMknod), durable once its directory is synced.
//
// Mem's current view keeps atime, mtime and ctime as Linux does: a write or
// truncate moves the file's mtime and ctime; chmod, chown, utimensat, link
// and unlink move the inode's ctime; a rename moves the renamed inode's
// ctime (as ext4 does) and the mtime and ctime of both directories, as do
// create, mkdir, symlink, mknod and remove for their directory; a read,
// readdir or readlink moves atime under the relatime rule (Linux's default:
// only when atime is not later than mtime or ctime, or a day old). Times
// are outside the crash model: they are not logged, and a crash state (and
// a Mem built from one) has fresh times. Link counts are kept in the
// current view (hard links; 2 plus subdirectories for a directory; 0 for a
// file unlinked while open); crash states report a link count of 1.
//
// Mem keeps every byte written since MakeDurable (crash states are built
// from them), but not all in memory: beyond a data budget per Mem
// ([WithDataBudget], 256 MiB by default) file data is kept, on Linux, in
// an unlinked temporary file in os.TempDir() that the kernel pages, so a
// command writing 10 GiB through a mount runs in a few hundred MiB of
// resident memory, at the cost of as much disk. Elsewhere, and where no
// such file can be made, all data stays in memory.
//
// A file may be at most 16 TiB less 4 KiB (ext4's limit with 4 KiB
// blocks): growing one past it fails with EFBIG, and a write across it is
// cut short. Holes cost no memory in the current view, and st_blocks counts
// only pages that hold data; a snapshot (MakeDurable) of a sparse file is a
// lazily mapped run on Linux, so its holes cost address space, not memory.
//
// # Faults
//
// An [Injector] wraps any FS and, at the Nth operation (or the Nth matching
// a predicate), returns an errno, performs a short or torn write, or
// crashes: that operation and every later one fail with [ErrCrashed]. It
// records a trace of every operation in the one-line form of [Op.String].
package faultfs
