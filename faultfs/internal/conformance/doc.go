//go:build linux

// Package conformance is the table of filesystem behaviours that Mem must
// share with Linux, and a runner that plays one case on any
// [faultfs.FS] and records a transcript: every step with its result, the
// errno (and, in detail, the Go error type and op) of each failure, then a
// listing of the tree the case left. Two filesystems conform on a case
// when their transcripts are equal, line for line.
//
// The table is shared by faultfs's own test (a real directory through
// [faultfs.OS] and [faultfs.Root], against [faultfs.Mem]) and by the FUSE
// server's test (a real directory against Mem served over a mount, as
// root and as an unprivileged user), which faultfs's tests cannot import.
//
// Limits: the cases cover what the os package can ask for (open flags,
// read, write, seek, truncate, stat, rename, link, symlink, readlink,
// mkdir, remove, chmod, chown, readdir, fsync, name lengths) and mknod
// (faultfs.Mknod: FIFOs, sockets and device nodes, listed but never
// opened), which is the ground of pjdfstest's chmod, chown, link, mkdir,
// mkfifo, mknod, open, rename, rmdir, symlink, truncate and unlink
// groups, without their timestamp assertions (times are compared by
// faultfs's own tests) and without the utimensat and ftruncate-to-EFBIG
// groups. The whole pjdfstest suite is run on a mount by
// scripts/pjdfstest.sh. Case names are stable: tests name them to
// document an expected difference.
package conformance
