package suite

import (
	"errors"
	"github.com/crashcheck/crashcheck/scenarios"
	"io/fs"
	"os"
	"path"

	"github.com/crashcheck/crashcheck/faultfs"
	"pgregory.net/rapid"
)

// BrokenWriter is a file replace done wrong, the way real programs do it.
type BrokenWriter func(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) error

// ZooCase is one input for a broken writer: an existing target is
// replaced (most of these bugs need something to lose).
type ZooCase struct {
	Old     []byte
	OldMode fs.FileMode
	New     []byte
}

// MaxZooContent is the largest content a zoo case draws: every bug in the
// zoo shows on a few bytes, and a few sectors and pages are plenty to find
// the ones that need more.
const MaxZooContent = 64 << 10

// DrawZooCase draws a zoo case.
func DrawZooCase(t *rapid.T) ZooCase {
	return ZooCase{
		Old:     zooContent('O').Draw(t, "old"),
		OldMode: fs.FileMode(scenarios.Perm().Draw(t, "oldMode")),
		New:     zooContent('N').Draw(t, "new"),
	}
}

// zooContent draws a zoo content: these bugs show at any size, so it is
// kept small.
func zooContent(tag byte) *rapid.Generator[scenarios.Bytes] {
	return scenarios.Content(MaxZooContent, tag)
}

// zooEntry is a broken writer and what its spec needs beyond a plain
// replace of the target.
type zooEntry struct {
	name, description string
	// write replaces the target; run, when set, is the whole workload
	// instead (several writers, say).
	write BrokenWriter
	run   func(c ZooCase) func(fsys faultfs.FS) error
	// setup adds to the initial state once the target exists; it is given
	// the *faultfs.Mem itself, so it may add devices.
	setup func(m *faultfs.Mem) error
	// invariants, when set, replace zooInvariants.
	invariants func(c ZooCase) []scenarios.Invariant
	caught     []Catch
}

// zoo holds every broken writer by name (without the "zoo/" prefix).
var zoo = map[string]*zooEntry{}

// registerZoo registers a broken writer as the scenario zoo/<name>, with the
// invariants and models expected to catch it.
func registerZoo(name, description string, w BrokenWriter, caught ...Catch) {
	registerZooEntry(&zooEntry{name: name, description: description, write: w, caught: caught})
}

// registerZooEntry registers a broken writer that needs more than a
// BrokenWriter says: extra initial state, its own workload or invariants.
func registerZooEntry(e *zooEntry) {
	if _, dup := zoo[e.name]; dup {
		panic("suite: duplicate zoo writer " + e.name)
	}
	zoo[e.name] = e
	Register(Scenario{
		Name:        "zoo/" + e.name,
		Description: e.description,
		Broken:      true,
		Caught:      e.caught,
		Spec:        func(t *rapid.T) scenarios.Spec { return e.spec(DrawZooCase(t)) },
	})
}

// spec returns the crash test of one case: the target holds c.Old with
// mode c.OldMode, and the writer replaces it with c.New (perm 0644).
func (e *zooEntry) spec(c ZooCase) scenarios.Spec {
	run := func(fsys faultfs.FS) error { return e.write(fsys, Target, c.New, 0o644) }
	if e.run != nil {
		run = e.run(c)
	}
	invs := zooInvariants()
	if e.invariants != nil {
		invs = e.invariants(c)
	}
	return scenarios.Spec{
		Name: "zoo/" + e.name,
		Setup: func(fsys faultfs.FS) error {
			if err := faultfs.WriteFile(fsys, Target, c.Old, c.OldMode); err != nil {
				return err
			}
			if err := fsys.Chmod(Target, c.OldMode); err != nil {
				return err
			}
			if e.setup != nil {
				return e.setup(fsys.(*faultfs.Mem))
			}
			return nil
		},
		Run:        run,
		Invariants: invs,
		MaxStates:  zooMaxStates,
	}
}

// zooInvariants are what a replace of the target must keep: the target
// whole, durable once Run returns, no stray files, its mode kept, and every
// error reported.
func zooInvariants() []scenarios.Invariant {
	return []scenarios.Invariant{
		scenarios.AtomicReplace(Target), scenarios.Durable(Target), scenarios.NoLeftovers(".", Target),
		scenarios.ModePreserved(Target), scenarios.ReportsErrors(),
	}
}

// zooMaxStates bounds the crash states per crash point of a zoo case, far
// below the default: a chunked rewrite of 64 KiB has thousands of torn
// states at each point, and the states that expose these bugs (each
// pending operation dropped, each kept alone, every prefix) are always
// visited first.
const zooMaxStates = 256

// syncDir fsyncs the directory holding name.
func syncDir(fsys faultfs.FS, name string) error { return faultfs.SyncDir(fsys, path.Dir(name)) }

// writeNew writes data to name, created or truncated with mode perm,
// fsynced when sync is set, and closes it: the half of a replace that most
// broken writers get right. A failure leaves name for the caller to remove.
func writeNew(fsys faultfs.FS, name string, data []byte, perm fs.FileMode, sync bool) error {
	f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// targetPerm returns the mode an existing target has, or perm for a new
// one: what a careful writer gives its temp file.
func targetPerm(fsys faultfs.FS, name string, perm fs.FileMode) (fs.FileMode, error) {
	info, err := fsys.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return perm, nil
	}
	if err != nil {
		return 0, err
	}
	return info.Mode(), nil
}
