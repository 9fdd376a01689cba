package suite

import (
	"bytes"
	"fmt"
	"github.com/crashcheck/crashcheck/scenarios"
	"os"

	"github.com/crashcheck/crashcheck/faultfs"
)

// sharedTempSave is one save through a fixed temp name, name+".tmp",
// split at the points where two processes doing it at once interleave.
// Editors, config tools and "atomic write" helpers that derive the temp
// name from the target alone all do this; it is safe only while a single
// process ever saves the file.
type sharedTempSave struct {
	fsys faultfs.FS
	name string
	data []byte
	f    faultfs.File
	err  error
}

// do runs one step unless an earlier one failed.
func (s *sharedTempSave) do(step func() error) {
	if s.err == nil {
		s.err = step()
	}
}

func (s *sharedTempSave) open() {
	s.do(func() error {
		perm, err := targetPerm(s.fsys, s.name, 0o644)
		if err != nil {
			return err
		}
		if s.f, err = s.fsys.OpenFile(s.name+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm); err != nil {
			return err
		}
		return s.f.Chmod(perm)
	})
}

func (s *sharedTempSave) write(lo, hi int) {
	s.do(func() error { _, err := s.f.Write(s.data[lo:hi]); return err })
}

func (s *sharedTempSave) finish() {
	s.do(func() error { return s.f.Sync() })
	if s.f != nil {
		if err := s.f.Close(); s.err == nil {
			s.err = err
		}
	}
	s.do(func() error { return s.fsys.Rename(s.name+".tmp", s.name) })
	s.do(func() error { return syncDir(s.fsys, s.name) })
}

// sharedTempName runs two saves of the target through the same temp name,
// interleaved as two processes can: A creates the temp file and writes the
// first half of its content; B opens the same name with O_TRUNC and writes
// all of its own; A writes its second half (at its own offset, into the
// file B just filled), fsyncs and renames; B finds its temp file gone.
// A's save reports success, yet the target holds B's beginning and A's
// end. The workload returns A's error: B failed, and said so.
func sharedTempName(c ZooCase) func(fsys faultfs.FS) error {
	other := sharedTempOther(c.New)
	return func(fsys faultfs.FS) error {
		a := &sharedTempSave{fsys: fsys, name: Target, data: c.New}
		b := &sharedTempSave{fsys: fsys, name: Target, data: other}
		half := len(c.New) / 2
		a.open()
		a.write(0, half)
		b.open()
		b.write(0, len(other))
		a.write(half, len(c.New))
		a.finish()
		b.finish()
		return a.err
	}
}

// sharedTempOther is the content the second save writes: the first's,
// every byte changed, so that any splice of the two is neither.
func sharedTempOther(data []byte) []byte {
	b := bytes.Clone(data)
	for i := range b {
		b[i] ^= 0xff
	}
	return b
}

// OneSave: path holds, whenever it is looked at, the content it had before
// Run or one of the contents that concurrent saves wrote, whole.
func OneSave(path string, contents ...[]byte) scenarios.Invariant {
	return scenarios.Invariant{Name: "OneSave(" + path + ")", Check: func(s *scenarios.Situation) error {
		got := s.Current(path)
		if got.SameContent(s.Before(path)) {
			return nil
		}
		for _, c := range contents {
			if got.Exists && got.Err == nil && got.Content.EqualBytes(c) {
				return nil
			}
		}
		return fmt.Errorf("%s holds %s: neither the old content nor any one save's (%d saves)", path, got, len(contents))
	}}
}

func init() {
	registerZooEntry(&zooEntry{
		name:        "shared-temp-name",
		description: "two saves through the same fixed temp name, interleaved: the target holds half of each",
		run:         sharedTempName,
		// AtomicReplace and Durable judge against what an uninterrupted
		// run left, which here is the splice itself; and B's errors are
		// B's to report, so ReportsErrors does not apply either.
		invariants: func(c ZooCase) []scenarios.Invariant {
			return []scenarios.Invariant{OneSave(Target, c.New, sharedTempOther(c.New)), scenarios.NoLeftovers(".", Target), scenarios.ModePreserved(Target)}
		},
		caught: []Catch{
			{"OneSave", ""}, {"OneSave", "process"}, {"OneSave", "posix"}, {"OneSave", "ext4-ordered"},
		},
	})
}
