package faultfs

import (
	"fmt"
	"strings"
)

// Model is a persistence model: the rules for which of the operations still
// pending at a crash may survive it. The models are listed, with their
// rules and sources, in the package documentation.
type Model interface {
	// Name returns the model's name: process, posix, ext4-ordered, xfs
	// or btrfs.
	Name() string
	// plan sorts the operations before a crash point into forced ones
	// (durable), lost ones, and units a crash state chooses among. It
	// sorts the operations ops (in order); the others before point are
	// settled, and the durable base holds them (crash_base.go).
	plan(h *History, point int, ops []int32) *plan
	// candidates calls yield with unit choices (bitsets over the plan's
	// units) until yield returns false or the model has no more; it
	// reports whether it offered every legal choice.
	candidates(p *plan, g *chooser) bool
}

// The persistence models, as values: pass them to [History.Enumerate]
// rather than selecting a model by name or by its place in [Models].
var (
	// Process is a process crash (kill -9): every completed operation
	// survives.
	Process Model = processModel{}
	// POSIX is the strictest reading of POSIX: each pending operation
	// may persist or not, independently; writes may tear at sectors.
	POSIX Model = posixModel{}
	// Ext4Ordered approximates ext4 with data=ordered and auto_da_alloc.
	Ext4Ordered Model = ext4OrderedModel{}
	// XFS is xfs: metadata in log order, data unordered, no flush at
	// rename.
	XFS Model = xfsModel{}
	// Btrfs is btrfs: transactions in order, posix up to its last log
	// tree write.
	Btrfs Model = btrfsModel{}
)

var models = []Model{Process, POSIX, Ext4Ordered, XFS, Btrfs}

// Models returns the persistence models: process, posix, ext4-ordered,
// xfs, btrfs.
func Models() []Model { return append([]Model(nil), models...) }

// DefaultModels returns the models a check runs under when it names
// none: process, posix and ext4-ordered. The filesystem models (xfs,
// btrfs) are left out: each adds its crash states to every check, and a
// writer correct under posix is correct under them (they allow fewer
// states); name them, or use Models, to check against one filesystem.
func DefaultModels() []Model { return []Model{Process, POSIX, Ext4Ordered} }

// ParseModel returns the model with the given name.
func ParseModel(name string) (Model, error) {
	for _, m := range models {
		if m.Name() == name {
			return m, nil
		}
	}
	return nil, fmt.Errorf("unknown model %q (want %s)", name, ModelNames())
}

// ModelNames returns the models' names joined by "|".
func ModelNames() string {
	var names []string
	for _, m := range models {
		names = append(names, m.Name())
	}
	return strings.Join(names, "|")
}
