package faultfs

import (
	"fmt"
	"syscall"
)

// An Action is what a fired Fault does to its op: Errno, ShortWrite,
// TornWrite or Crash.
type Action interface {
	action() action
	fmt.Stringer
}

type actionKind uint8

const (
	actRun        actionKind = iota // no fault: the op runs
	actErrno                        // Errno
	actShortWrite                   // ShortWrite
	actTornWrite                    // TornWrite
	actCrash                        // Crash
	actCrashed                      // the injector crashed before this op
)

type action struct {
	kind  actionKind
	errno syscall.Errno
}

func (a action) action() action { return a }

func (a action) String() string {
	switch a.kind {
	case actErrno:
		if name := ErrnoName(a.errno); name != "" {
			return name
		}
		return fmt.Sprintf("errno %d", uint(a.errno))
	case actShortWrite:
		return "short-write"
	case actTornWrite:
		return "torn-write"
	case actCrash:
		return "crash"
	}
	return "run"
}

// Errno makes the op do nothing and fail with e, in the error the os
// package would return for that op: a *fs.PathError, or an *os.LinkError
// for rename, link and symlink, whose Op is the os package's name for the
// call ("open", "write", "sync", "rename", ...).
//
// Two ops differ. Close still releases the wrapped file, as close(2) does
// even when it fails. Sync with a writeback error (EIO, ENOSPC, EDQUOT),
// if the wrapped file implements SyncFailer, calls its FailSync(e) instead
// of Sync, so that the file's unsynced data is lost from the durable view
// (fsyncgate); the error returned is the injector's. Sync with any other
// errno (EINTR: an interrupted call) does nothing, and the data stays
// pending for a retry.
//
// Errno panics if e is 0.
func Errno(e syscall.Errno) Action {
	if e == 0 {
		panic("faultfs: Errno(0) is not an error")
	}
	return action{kind: actErrno, errno: e}
}

// ShortWrite makes a write write the first half of its data (rounded down:
// at least 1 byte when it has more than 1) and return that count with an
// ENOSPC *fs.PathError, as a write that fills the disk does. Any other op
// fails with ENOSPC, doing nothing.
func ShortWrite() Action { return action{kind: actShortWrite} }

// TornWrite makes a write write a prefix of its data that ends on a 512-byte
// sector boundary of the file, the last one at or before the middle of the
// data (possibly none of it), and then crashes the injector: the write
// returns ErrCrashed like every op after it. On a file opened with O_APPEND,
// whose offset is not known, sectors are counted from the start of the
// data. Any other op crashes, doing nothing.
func TornWrite() Action { return action{kind: actTornWrite} }

// Crash makes the op and every later op, through the injector or any file
// it opened, do nothing and fail with ErrCrashed wrapped in a *fs.PathError
// or *os.LinkError, as Errno would. Files are still released by Close.
func Crash() Action { return action{kind: actCrash} }

// shortLen is how much of an n-byte write a short write writes.
func shortLen(n int) int {
	if n > 1 {
		return n / 2
	}
	return 0
}

// tornLen is how much of an n-byte write at offset off a torn write
// writes: up to the last sector boundary at or before its middle.
func tornLen(off int64, n int) int {
	const sector = 512
	if off < 0 {
		off = 0
	}
	mid := off + int64(n/2)
	end := mid - mid%sector
	if end <= off {
		return 0
	}
	return int(end - off)
}
