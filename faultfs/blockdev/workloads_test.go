package blockdev

import (
	"bytes"
	"os"
	"strings"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
)

// The soundness workloads: the zoo's replace patterns, each a sequence of
// steps run on any faultfs.FS, so that the same calls run on a real
// kernel filesystem (through faultfs.Root) and on faultfs.Mem (where the
// models give the outcomes they allow). The slow variant pauses between
// steps, so that the kernel's own writeback and commits fall between
// them.

const (
	target  = "data.txt"
	tmpName = "data.txt.tmp"
	// otherName is a file the workloads only sync, never change after
	// its first sync: its fsync is one of a clean inode.
	otherName = "other.txt"
	// slowPause is the pause between a slow variant's steps: 2 s showed
	// states the fast version never did (issue 12).
	slowPause = 2 * time.Second
)

// Old and new contents span three 4 KiB blocks, so that a mix of them
// (an "other" outcome) is possible.
var (
	oldContent = bytes.Repeat([]byte("old content 1234"), 768)
	newContent = bytes.Repeat([]byte("NEW CONTENT 5678"), 768)
)

type step func(fsys faultfs.FS) error

type workload struct {
	name  string
	steps []step
}

func writeFile(name string, flag int) step {
	return func(fsys faultfs.FS) error {
		f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|flag, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.Write(newContent); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

func writeSync(name string) step {
	return func(fsys faultfs.FS) error {
		f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.Write(newContent); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// syncFile fsyncs name, opened read-only and never read (a read could
// change its atime, and so dirty it).
func syncFile(name string) step {
	return func(fsys faultfs.FS) error {
		f, err := fsys.Open(name)
		if err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

func rename(from, to string) step {
	return func(fsys faultfs.FS) error { return fsys.Rename(from, to) }
}

func syncDir(name string) step {
	return func(fsys faultfs.FS) error {
		d, err := fsys.Open(name)
		if err != nil {
			return err
		}
		if err := d.Sync(); err != nil {
			d.Close()
			return err
		}
		return d.Close()
	}
}

var workloads = []workload{
	{"rewrite-in-place", []step{writeFile(target, os.O_TRUNC)}},
	{"overwrite-no-trunc", []step{writeFile(target, 0)}},
	{"rename-no-fsync", []step{writeFile(tmpName, os.O_TRUNC), rename(tmpName, target)}},
	{"fsync-no-dir-fsync", []step{writeSync(tmpName), rename(tmpName, target)}},
	{"durable-replace", []step{writeSync(tmpName), rename(tmpName, target), syncDir(".")}},
	// The rename is pending when a file whose metadata is clean (synced,
	// unchanged since) is fsynced: ext4 commits only the transaction
	// that last changed that file (i_sync_tid), already committed, so
	// the rename may still be lost.
	{"fsync-clean-other", []step{writeSync(otherName), writeSync(tmpName), rename(tmpName, target), syncFile(otherName)}},
}

// run runs the workload's steps on fsys, pausing between them if pause
// is set.
func (w workload) run(fsys faultfs.FS, pause time.Duration) error {
	for i, s := range w.steps {
		if i > 0 && pause > 0 {
			time.Sleep(pause)
		}
		if err := s(fsys); err != nil {
			return err
		}
	}
	return nil
}

// outcome classifies what the target held after a crash.
type outcome string

const (
	outOld        outcome = "old"
	outNew        outcome = "new"
	outAbsent     outcome = "absent"
	outEmpty      outcome = "empty"
	outOther      outcome = "other"      // a mix, a prefix, zeros: neither whole content
	outUnreadable outcome = "unreadable" // present but reading failed
	outUnmounted  outcome = "unmountable"
)

func classify(present bool, data []byte, readErr string) outcome {
	switch {
	case !present:
		return outAbsent
	case readErr != "":
		return outUnreadable
	case len(data) == 0:
		return outEmpty
	case bytes.Equal(data, oldContent):
		return outOld
	case bytes.Equal(data, newContent):
		return outNew
	}
	return outOther
}

// outcomeSet is a set of outcomes, printed sorted.
type outcomeSet map[outcome]bool

func (s outcomeSet) String() string {
	order := []outcome{outOld, outNew, outAbsent, outEmpty, outOther, outUnreadable, outUnmounted}
	var parts []string
	for _, o := range order {
		if s[o] {
			parts = append(parts, string(o))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ",")
}

// minus returns the outcomes of s not in t.
func (s outcomeSet) minus(t outcomeSet) outcomeSet {
	d := outcomeSet{}
	for o := range s {
		if !t[o] {
			d[o] = true
		}
	}
	return d
}
