// Package blockdev records what a real kernel filesystem writes to its
// disk and rebuilds every state a power loss could leave, so that the
// kernel's own behaviour can be checked (crashcheck run --fs) and the
// persistence models of package faultfs checked against it.
//
// # How it records
//
// A [Device] serves one sparse in-memory [Image] as a file through FUSE,
// opened with direct I/O. A loop device on that file, buffered (not
// direct I/O), is a block device whose queue reports a volatile write
// cache ("write back") and no FUA: every block write reaches the server
// as a WRITE and every cache flush as an FSYNC, in the order the block
// layer issued them (an O_DSYNC write arrives as WRITE, FSYNC, FSYNC; an
// ext4 journal commit as FSYNC, WRITE, FSYNC; a discard as a zeroing
// fallocate). This is CrashMonkey's block log (Mohan et al., OSDI'18) in
// userspace, with no kernel module. Verified on Linux 6.18.
//
// [Record] makes a fresh filesystem (ext4 64 MiB with its inode tables
// and journal initialised by mkfs; xfs 300 MiB, mounted nouuid; btrfs
// 128 MiB), fills it, syncs it (the durable base), and logs the
// workload's requests and then those the kernel makes on its own for a
// settle time, ending with a syncfs(2). Timing matters: ext4 commits its
// journal every commit= seconds (5), btrfs every 30, and delayed data is
// written back about 30 s after it was dirtied (vm.dirty_expire_centisecs).
// The default settle waits past one and a half periodic commits, so that
// a metadata change left unsynced is committed while its data may still
// be dirty — the order that loses data — before the syncfs writes the
// rest. While xfs is recorded, fs.xfs.xfssyncd_centisecs (the interval
// of xfs's periodic log force, 30 s) is lowered to 1 s machine-wide and
// restored afterwards: xfs then commits metadata sooner, never later,
// than it may on its own. Recordings on one machine are serialised by a
// lock file in /run.
//
// # Crash states
//
// A crash keeps every write logged before the last flush it follows, and
// any subset of the writes since (the cache may have written any of
// them, in any order). [Enumerate] lists, for each unflushed window, all
// subsets while there are at most EnumOptions.MaxPerWindow of them; else
// every prefix, every prefix plus one later write, the full window with
// each write dropped, and a sample seeded by EnumOptions.Seed. States
// whose disks hold the same bytes (a hash over the changed sectors) are
// one. A [State] is named by how to rebuild it: "writes 1-17 + {19,22}
// of the unflushed window 18-25".
//
// [Check] writes each state as a sparse file (the base's pages plus the
// state's writes), attaches it to a loop device, mounts it read-write so
// that the kernel replays its journal or log, reads the targets, unmounts
// it, and runs the filesystem's checker (e2fsck -fn, xfs_repair -n,
// btrfs check --readonly), which flags a state the filesystem cannot
// recover from.
//
// # Limits
//
// Writes are atomic at 512-byte sectors: a torn sector is not a state.
// The states are those of this kernel, these mount options and this
// timing; another schedule may write in another order. Reordering is
// bounded by flushes only (a real disk may also reorder across its own
// queue, which FUA-less flushes already allow). Recording needs root,
// /dev/fuse, loop devices and the mkfs tools (e2fsprogs, xfsprogs,
// btrfs-progs); everything mounted or attached is removed before Record
// and Check return, and loop devices detach themselves
// (LO_FLAGS_AUTOCLEAR) should the process die.
package blockdev
