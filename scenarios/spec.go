package scenarios

import (
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// Spec is a crash test: an initial state, a workload, and what must hold.
type Spec struct {
	// Name labels reports (default: "unnamed spec"; Check and CheckT
	// use the test's name).
	Name string
	// Setup builds the initial state on a fresh faultfs.Mem; it is made
	// durable before Run starts. Nil means an empty filesystem.
	Setup func(fsys faultfs.FS) error
	// Run is the workload under test. It must do all its file work
	// through fsys. It must not keep state between calls: the harness
	// runs it many times.
	Run func(fsys faultfs.FS) error
	// Models are the persistence models to check under (default: all).
	Models []faultfs.Model
	// Invariants must hold after every crash, error and success.
	Invariants []Invariant
	// Errnos are injected at every operation of the workload, one re-run
	// each (default: DefaultErrnos). Set NoErrors to skip error runs.
	Errnos   []syscall.Errno
	NoErrors bool
	// MaxStates bounds the crash states per crash point (default 4096);
	// Seed seeds the sample taken beyond it.
	MaxStates int
	Seed      uint64
}

// DefaultErrnos are the errors injected at every operation by default. An
// injected EIO, ENOSPC or EDQUOT at fsync also loses the file's unsynced
// data, as Linux writeback errors do, so code that retries a failed fsync
// is caught; EINTR leaves the data pending, so a retry on EINTR passes.
var DefaultErrnos = []syscall.Errno{
	syscall.EIO, syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS,
	syscall.EACCES, syscall.EINTR, syscall.EXDEV,
}

func (s *Spec) errnos() []syscall.Errno { return errnosOf(s.Errnos, s.NoErrors) }

// errnosOf is what a spec's Errnos and NoErrors ask to inject: none,
// the given ones, or DefaultErrnos.
func errnosOf(errnos []syscall.Errno, none bool) []syscall.Errno {
	if none {
		return nil
	}
	if len(errnos) > 0 {
		return errnos
	}
	return DefaultErrnos
}

// unnamed labels the report of a spec or history without a name.
const unnamed = "unnamed spec"

func (s *Spec) name() string {
	if s.Name == "" {
		return unnamed
	}
	return s.Name
}
