// Package scenarios tests that code which writes files survives crashes:
// it runs the code on an in-memory filesystem that knows what a power loss
// keeps, and checks properties in every state a crash, or an error, could
// leave.
//
// # Check
//
// A [Spec] is a crash test: Setup builds the initial state (made durable
// before anything else runs), Run is the code under test, doing all its
// file work through the [faultfs.FS] it is given, and Invariants say what
// must hold. [Check] runs it inside go test and fails the test with a
// report; [Verify] returns the [Report]; [CheckT] takes a *rapid.T, so
// that inputs drawn from rapid generators shrink to the smallest that
// fails:
//
//	func TestSave(t *testing.T) {
//		rapid.Check(t, func(t *rapid.T) {
//			data := scenarios.Content(64<<10, 'N').Draw(t, "data")
//			scenarios.CheckT(t, scenarios.Spec{
//				Setup:      func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "config.json", []byte("{}"), 0o644) },
//				Run:        func(fsys faultfs.FS) error { return save(fsys, "config.json", data) },
//				Invariants: []scenarios.Invariant{scenarios.AtomicReplace("config.json"), scenarios.Durable("config.json")},
//			})
//		})
//	}
//
// # Situations
//
// Run is recorded once, fault-free: every operation that changes the disk
// is logged, and crash point k is the moment after the first k of them.
// Crashes need no re-runs: the states at point k are the durable state
// plus the pending operations a persistence model lets survive, so one
// run yields every point (ALICE works the same way). Invariants are then
// checked in three situations ([Kind]):
//
//   - AfterCrash: every crash state at every crash point of the fault-free
//     run, under every model, and, once Run has returned, after it.
//   - AfterError: Run re-run once per operation and per errno in
//     [DefaultErrnos] (EIO, ENOSPC, EDQUOT, EROFS, EACCES, EINTR, EXDEV),
//     plus a short write at every write, injected at that operation; the
//     state when Run returns, and the crash states right after.
//   - AfterSuccess: the state a fault-free Run left, and that of a faulty
//     run that returned nil anyway.
//
// An injected fsync failure of the writeback kind (EIO, ENOSPC, EDQUOT)
// also drops the file's unsynced data from the durable view, as Linux does
// ("fsyncgate"), so code that retries a failed fsync is caught; any other
// errno, EINTR above all, leaves the data pending, so a retry on EINTR
// (PostgreSQL's pg_fsync) is correct and passes. A write through a file
// opened with O_SYNC or O_DSYNC is durable when it returns.
//
// # Invariants
//
// An [Invariant] is a named function of a [Situation]. Built in:
//
//	AtomicReplace(path)  path holds its whole old content or its whole new one ("absent" counts);
//	                     only the new once Run returned nil or acknowledged path
//	Durable(path)        a crash after Run returned nil leaves the new content
//	NoLeftovers(dir)     once Run returned, dir holds no name it did not hold before
//	ModePreserved(path)  the old content with the old mode, the new with the mode Run gave it
//	ModeIs(path, mode)   the new content with mode, the old with the old mode
//	ReportsErrors()      a fault that fired makes Run return an error
//	AckedRecords(path)   every record acknowledged before the crash is in path, in order
//	Holds(name, check)   check(recovered filesystem) returns nil after every crash
//	Acked(name, check)   check(labels acknowledged before the crash, recovered filesystem) returns nil
//
// "New content" is what an uninterrupted, fault-free Run left: an
// invariant judges states against that run. [Holds] makes an invariant of
// any check of the recovered filesystem, checked after every crash: the
// check can be the program's own start-up code.
//
// The built-ins use nothing a user's invariant cannot: a Situation shows
// what a path held before Run ([Situation.Before]), after an uninterrupted
// Run ([Situation.After]) and in the state being judged
// ([Situation.Current]), each as a [Version] that compares
// ([Version.SameContent], [Version.Equal]) and describes itself for a
// report ([Version.String]: size, first bytes and mode in octal); the
// state itself is [Situation.State], a filesystem is [Situation.Recovered].
// The writer's own suite (package scenarios/suite) writes its invariants
// this way.
//
// # Acknowledgements
//
// Code under test marks the moment it tells its caller that something is
// done with [faultfs.Ack](fsys, label): a reply sent, a line printed, a
// record committed. The mark changes nothing on disk; it is an operation
// of the log, so it has a crash point on each side and shows in a
// report's timeline (#5 ack "f" = ok). An invariant sees the marks made
// before the crash point ([Situation.Acks], [Situation.AckLabels]) and
// what a path held when each was made ([Situation.AtAck]). ALICE's lesson
// is the rule: "entirely old or entirely new" is the most a program can
// promise before it acknowledged; after, only new. So [AtomicReplace]
// accepts the old content only until an ack labelled with its path; after
// one, it demands what the path held when the ack was made (or the new
// content). [AckedRecords] is "every acknowledged record survives" for an
// append-only log that acks each record with the record as its label, and
// [Acked] gives any check the labels.
//
// # Verdicts
//
// A report is a pass only when something was tested. [Verify] (and so
// [Check]) returns an error instead of a report when Run made no operation
// on the filesystem it was given (it used package os directly), when
// there are no invariants, or when an invariant's path exists in no state
// at all: not before Run, not after it, not in any crash or error state
// checked (a typo). [CheckHistory] lists the same problems in
// [Report.Untested] and prints them as NOT TESTED lines. The summary line
// says how the states were explored ([Report.Coverage]): "exhaustive",
// "sampled" (a point had more than MaxStates states), "stopped early:
// every invariant already failed" (the states left could only repeat what
// was found), or "interrupted". [Check] logs the summary with t.Log (go
// test -v shows it); a failure ends with the line that replays it from
// the module's root. A violation carries hints when the operations show
// what to do: a rename dropped because its directory is never fsynced
// after it, a write lost to a failed fsync that was retried, a mode set
// after the rename that put the new content in place.
//
// # Models
//
// The persistence models are those of faultfs (see its package doc for the
// rules and their sources): process (kill -9: everything completed
// survives), posix (each unsynced operation may or may not persist, writes
// tear at 512-byte sectors, a name is durable only once its directory is
// fsynced) and ext4-ordered (metadata in order, unsynced data may be lost,
// auto_da_alloc flushes a file renamed over another); and xfs and btrfs,
// models of those filesystems. A Spec checks the first three
// (faultfs.DefaultModels) unless Models says otherwise.
//
// # The writer's suite and the zoo
//
// This package is the harness only: it imports faultfs and, on Linux, the
// FUSE server faultfs/fuse (for CheckDir), and nothing else of this
// module. The suite of this module's writer and the zoo of broken
// writers the harness must catch live in package scenarios/suite, which
// crashcheck torture runs outside go test.
//
// # Limits
//
//   - Only the code's file operations through the given faultfs.FS are
//     seen: a write through os directly, an mmap, or another process is
//     not ([CheckDir] sees package os's in one directory, and
//     cmd/crashcheck run tests a whole program through FUSE).
//   - A crash point lies between two operations of one recorded run:
//     goroutines that race are checked in the one order they ran, and Run
//     must be deterministic, since error runs re-run it and match
//     operations by index.
//   - One fault per run: a second failure in a cleanup path is not tried.
//   - Beyond MaxStates states at a point (default 4096) the states are a
//     seeded sample plus every prefix, each operation dropped and each
//     kept alone; the report says when it was not exhaustive.
//   - The models are models: a real filesystem may keep less than
//     ext4-ordered allows, and Mem does not enforce permissions, so code
//     that depends on EACCES from a mode must inject it.
//   - A report keeps one violation per invariant, model and kind: the one
//     at the earliest crash point, and among the states there the one
//     that kept the fewest pending operations. After that point the
//     invariant is not checked again in that model and kind, so a report
//     lists the earliest, smallest violation of each, not all of them;
//     once every invariant has failed, the rest is not checked and the
//     summary says "stopped early".
//   - A path is "mentioned" by an acknowledgement only when the label is
//     the path itself, exactly as the invariant names it.
//
// # Checking a real directory
//
// [CheckDir] checks code that does its file work with package os
// (os.WriteFile, os.CreateTemp, os.Rename, (*os.File).Sync, os.MkdirAll),
// unchanged. A [DirSpec]'s Setup and Run are given the path of a fresh
// directory on which a faultfs.Mem is mounted through FUSE
// (faultfs/fuse, served by this process); Setup's state is made durable,
// Run's operations are recorded, and the recording is judged as Verify
// judges a Spec's: the same invariants (paths relative to the
// directory), models, error runs, [Report] and replay line. [CheckDirT]
// is CheckDir for a rapid property.
//
//	func TestSaveConfig(t *testing.T) {
//		scenarios.CheckDir(t, scenarios.DirSpec{
//			Setup:      func(dir string) error { return os.WriteFile(filepath.Join(dir, "config.json"), []byte("{}"), 0o644) },
//			Run:        func(dir string) error { return saveConfig(filepath.Join(dir, "config.json"), cfg) },
//			Invariants: []scenarios.Invariant{scenarios.AtomicReplace("config.json"), scenarios.Durable("config.json")},
//		})
//	}
//
// What it guarantees: the mount caches nothing (direct I/O, zero entry
// and attribute timeouts, no writeback cache), so each write(2),
// fsync(2), rename(2), ... reaches the Mem before the call returns, in
// program order, as the operation it is, and close(2) is recorded when
// the kernel sends its FLUSH (see faultfs/fuse for the mapping). The
// mount and its directory are gone when CheckDir returns, whichever way
// (Run may panic or call t.FailNow). A file Run drops without closing it
// is closed by its finalizer (CheckDir collects garbage once when files
// stay open), as the process's exit would close it; one still referenced
// is an error. Where FUSE cannot be mounted (not Linux, no usable
// /dev/fuse, neither root nor a fusermount3 helper) CheckDir skips the
// test saying what is missing, and CheckDirT fails: guard it with
// [CheckDirAvailable].
//
// Error runs inject each errno at the nth operation of its kind (open,
// read, write, fsync, fdatasync, truncate, chmod, chown, utimes, rename,
// unlink, rmdir, mkdir, symlink, link, mknod): the kernel sends those
// once per system call, while the call waits. Closes are not faulted
// (RELEASE comes after close(2) has returned and cannot be told from
// FLUSH), nor are lookups, stats, readdir and readlink, which the kernel
// sends when it needs them. The error reaches Run as the errno, in the
// os package's error. EINTR is not injected by default, nor short
// writes: package os retries the one and completes the other itself. Run
// must make the same operations each time: a fault that did not fire in
// its re-run is an error saying so. Names Run draws at random
// (os.CreateTemp) differ from run to run; a report shows the fault-free
// run's.
//
// Its limits: only what Run does inside the directory is recorded; what
// the process does elsewhere (a file in os.TempDir(), a database in
// another directory, a path that leaves the directory by ".." or a
// symbolic link to an absolute path) is not, and is not rolled back.
// Everything that touches the directory while Run runs is recorded as
// Run's, whichever goroutine does it. syncfs(2) and sync(2) never reach
// the server (code relying on them is judged as if it never synced),
// pages written through a shared mmap arrive only when the kernel writes
// them back, and locks stay in the kernel. Run must not start a program
// whose executable or working directory is on the mount: the server
// serves from this process, which a fork can stall (crashcheck run tests
// other programs). A test binary killed before CheckDir returns (by go
// test's -timeout, or SIGKILL) leaves its mount behind, answering
// ENOTCONN: remove it with umount (or fusermount3 -u). Each CheckDir
// mounts once, and every run of Run goes through the kernel: a durable
// replace of a small file costs some 0.3 ms a run, checking included,
// about five times a run under Verify (BenchmarkCheckDir,
// BenchmarkVerifyReplace).
//
// # Checking a recorded run
//
// [Verify] records Run and re-runs it with faults; [CheckHistory] is its
// checking half alone, for a [faultfs.History] recorded elsewhere: a
// program run black-box through a FUSE mount (crashcheck run) is judged
// by the same invariants, models, de-duplication and [Report], and
// [Report.JSON] and [EncodeJSON] give the one JSON form both commands
// write.
package scenarios
