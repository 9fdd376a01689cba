//go:build linux

package cli

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"io/fs"
	"path"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios"
)

// stateKey is everything a --check or --recover command is given of a
// crash state, so that two states with one key get one verdict: the
// content of the tree, whether the crash came after COMMAND exited 0
// (CRASHCHECK_AFTER_EXIT), and with --ack how many acknowledgements the
// CRASHCHECK_ACKS file lists.
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
	k := stateKey{tree: treeHash(s.State), afterExit: s.Returned && s.RunErr == nil}
	if withAcks {
		k.acks = len(s.State.Acks())
	}
	return k
}

// treeHash is a SHA-256 of what the state holds from the root, in name
// order: each entry's name, type and permission bits, owner and group,
// then a directory's entries, a symbolic link's target, a file's size
// and bytes. Times, inode numbers and link counts are not in it (the
// in-memory disk does not vary them between crash states of one run).
func treeHash(st *faultfs.CrashState) [sha256.Size]byte {
	h := sha256.New()
	hashDir(h, st, ".", 0)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

func hashDir(h hash.Hash, st *faultfs.CrashState, dir string, depth int) {
	var buf [8]byte
	word := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	str := func(s string) {
		word(uint64(len(s)))
		h.Write([]byte(s))
	}
	if depth > 64 { // a directory cycle a crash may leave: stop, deterministically
		word(0xdead)
		return
	}
	entries, err := st.ReadDir(dir)
	if err != nil {
		str("error: " + err.Error())
		return
	}
	for _, e := range entries {
		name := path.Join(dir, e.Name())
		str(e.Name())
		info, err := e.Info()
		if err != nil {
			str("error: " + err.Error())
			continue
		}
		word(uint64(info.Mode()))
		if sys, ok := info.Sys().(*syscall.Stat_t); ok {
			word(uint64(sys.Uid)<<32 | uint64(sys.Gid))
		}
		switch info.Mode().Type() {
		case fs.ModeDir:
			hashDir(h, st, name, depth+1)
			word(0xd1d1) // end of directory
		case fs.ModeSymlink:
			target, _ := st.Readlink(name)
			str(target)
		default:
			c, err := st.Content(name)
			if err != nil {
				str("error: " + err.Error())
				continue
			}
			word(uint64(c.Len()))
			h.Write(c.Bytes())
		}
	}
}
