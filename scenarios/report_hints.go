package scenarios

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/crashcheck/crashcheck/faultfs"
)

// hints derives, from the state a violation was found in and the run's
// operations, what the code under test should do differently, when the
// operations show it:
//
//   - a rename the crash dropped, whose directory (or one of whose two
//     directories) is never fsynced after it: the rename is not durable;
//   - a write lost to a failed fsync (EIO, ENOSPC, EDQUOT) whose file was
//     fsynced again afterwards: the retry succeeded without the data;
//   - a file holding the new content with another mode than the new one,
//     whose mode is set after the rename that put it in place.
//
// Each hint names the operations it is derived from.
func hints(inv Invariant, s *Situation, ops []faultfs.Op) []string {
	var out []string
	if s.Kind == AfterCrash {
		for _, i := range s.State.Dropped() {
			if h := unsyncedRename(ops, i); h != "" {
				out = append(out, h)
			}
		}
		out = append(out, retriedFsyncs(ops, s.State.Lost())...)
	}
	if inv.Property == "mode" && inv.Path != "" {
		if h := modeAfterRename(s, inv.Path, ops); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// unsyncedRename says why rename op i is not durable, if it is a rename
// one of whose directories is never fsynced after it.
func unsyncedRename(ops []faultfs.Op, i int) string {
	op := ops[i]
	if op.Kind != faultfs.OpRename {
		return ""
	}
	var never []string
	for _, dir := range []string{path.Dir(op.Path), path.Dir(op.NewPath)} {
		if !slices.Contains(never, dir) && !dirSyncedAfter(ops, i, dir) {
			never = append(never, dir)
		}
	}
	if len(never) == 0 {
		return ""
	}
	return fmt.Sprintf("#%d rename %s -> %s was dropped: directory %s is never fsynced after it; "+
		"fsync the directory once the rename returns", i, op.Path, op.NewPath, strings.Join(never, " and "))
}

// dirSyncedAfter reports whether an fsync (or fdatasync) of dir succeeded
// after op i.
func dirSyncedAfter(ops []faultfs.Op, i int, dir string) bool {
	for _, op := range ops[i+1:] {
		if (op.Kind == faultfs.OpSyncDir || op.Kind == faultfs.OpDatasync) && op.Err == nil && path.Clean(op.Path) == dir {
			return true
		}
	}
	return false
}

// retriedFsyncs says, for each failed fsync that lost some of the writes
// lost, that it was retried, if a later fsync of the same file succeeded.
func retriedFsyncs(ops []faultfs.Op, lost []int) []string {
	var out []string
	done := map[int]bool{}
	for _, w := range lost {
		failed := -1
		for j := w + 1; j < len(ops); j++ {
			if ops[j].Kind == faultfs.OpSyncFailed && ops[j].Path == ops[w].Path {
				failed = j
				break
			}
		}
		if failed < 0 || done[failed] {
			continue
		}
		done[failed] = true
		for r := failed + 1; r < len(ops); r++ {
			if (ops[r].Kind == faultfs.OpSync || ops[r].Kind == faultfs.OpDatasync) && ops[r].Err == nil && ops[r].Path == ops[w].Path {
				out = append(out, fmt.Sprintf("#%d fsync of %s failed (%v) and lost the data written since the last good fsync; "+
					"#%d retried the fsync, which succeeded without that data: after a failed fsync, write the data again "+
					"or report the error", failed, ops[w].Path, faultfs.ErrString(ops[failed].Err), r))
				break
			}
		}
	}
	return out
}

// modeAfterRename says that p's mode is set after the rename that put its
// new content in place, when p holds the new content with another mode
// and the operations show that order.
func modeAfterRename(s *Situation, p string, ops []faultfs.Op) string {
	got, new := s.Current(p), s.After(p)
	if !got.Exists || got.Err != nil || !got.SameContent(new) || got.Mode == new.Mode {
		return ""
	}
	for r, op := range ops {
		if op.Kind != faultfs.OpRename || path.Clean(op.NewPath) != path.Clean(p) {
			continue
		}
		for c := r + 1; c < len(ops); c++ {
			m := ops[c]
			if (m.Kind == faultfs.OpChmod || m.Kind == faultfs.OpFchmod) && m.Err == nil &&
				(path.Clean(m.Path) == path.Clean(p) || m.Path == op.Path) {
				return fmt.Sprintf("the mode is set by #%d %s %s %s, after #%d rename %s -> %s put the new content in place; "+
					"set the mode on the temporary file before the rename", c, m.Kind, m.Path, Octal(m.Mode), r, op.Path, op.NewPath)
			}
		}
	}
	return ""
}
