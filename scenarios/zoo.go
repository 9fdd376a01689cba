package scenarios

import (
	"io/fs"

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

// DrawZooCase draws a zoo case.
func DrawZooCase(t *rapid.T) ZooCase {
	return ZooCase{
		Old:     Content(64<<10, 'O').Draw(t, "old"),
		OldMode: Perm().Draw(t, "oldMode"),
		New:     Content(64<<10, 'N').Draw(t, "new"),
	}
}

// registerZoo registers a broken writer as the scenario zoo/<name>, with the
// invariants and models expected to catch it.
func registerZoo(name, description string, w BrokenWriter, caught ...Catch) {
	Register(Scenario{
		Name:        "zoo/" + name,
		Description: description,
		Broken:      true,
		Caught:      caught,
		Spec: func(t *rapid.T) Spec {
			c := DrawZooCase(t)
			return Spec{
				Name: "zoo/" + name,
				Setup: func(fsys faultfs.FS) error {
					if err := faultfs.WriteFile(fsys, Target, c.Old, c.OldMode); err != nil {
						return err
					}
					return fsys.Chmod(Target, c.OldMode)
				},
				Run: func(fsys faultfs.FS) error { return w(fsys, Target, c.New, 0o644) },
				Invariants: []Invariant{
					AtomicReplace(Target), Durable(Target), NoLeftovers(".", Target),
					ModePreserved(Target), ReportsErrors(),
				},
			}
		},
	})
}
