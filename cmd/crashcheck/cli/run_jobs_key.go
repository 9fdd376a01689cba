//go:build linux

package cli

import (
	"crypto/sha256"

	"github.com/crashcheck/crashcheck/scenarios"
)

// stateKey is everything a --check or --recover command is given of a
// crash state, so that two states with one key get one verdict: the
// content of the tree, whether the crash came after COMMAND exited 0
// (CRASHCHECK_AFTER_EXIT), and with --ack how many acknowledgements the
// CRASHCHECK_ACKS file lists.
//
// The tree is the state's content key (faultfs.CrashState.ContentKey):
// each entry's name, type and permission bits, owner and group, a
// directory's entries, a symbolic link's target, a file's size and bytes.
// Times, inode numbers and link counts are not in it (the in-memory disk
// does not vary them between crash states of one run). It costs what the
// state's pending operations touch, not the size of the tree: a file's
// bytes are hashed once per run.
//
// CRASHCHECK_CRASH_POINT and CRASHCHECK_MODEL are not in it: identical
// trees are checked once across crash points and models, with the
// environment of the first (earliest point, first model) state that
// showed the tree. A check whose outcome depends on those two variables
// rather than on the tree is therefore judged as in that first state.
type stateKey struct {
	tree      [sha256.Size]byte
	afterExit bool
	acks      int
}

// keyOf is the key of the crash state s judges; withAcks counts the
// acknowledgements before its point.
func keyOf(s *scenarios.Situation, withAcks bool) stateKey {
	k := stateKey{tree: s.State.ContentKey(), afterExit: s.Returned && s.RunErr == nil}
	if withAcks {
		k.acks = len(s.State.Acks())
	}
	return k
}
