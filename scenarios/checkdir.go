package scenarios

import (
	"errors"
	"syscall"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"pgregory.net/rapid"
)

// DirSpec is a crash test of code that works on a real directory with
// package os (os.WriteFile, os.CreateTemp, os.Rename, (*os.File).Sync,
// os.MkdirAll, ...), unmodified: [CheckDir] mounts an in-memory
// filesystem that records every operation at a fresh directory through
// FUSE, and gives the directory's path to Setup and Run.
type DirSpec struct {
	// Name labels reports (default: "unnamed spec"; CheckDir uses the
	// test's name).
	Name string
	// Setup builds the initial state in dir, the mounted directory, which
	// is empty; it is made durable before Run starts. Nil means an empty
	// directory.
	Setup func(dir string) error
	// Run is the code under test; its file work in dir is recorded.
	// Crash points lie in Run only. It must not keep state between calls
	// and must do the same operations each time it is called (the harness
	// runs it again for each injected fault), and it must close the files
	// it opens.
	Run func(dir string) error
	// Models are the persistence models to check under (default:
	// faultfs.DefaultModels).
	Models []faultfs.Model
	// Invariants must hold after every crash, error and success. Their
	// paths are relative to dir.
	Invariants []Invariant
	// Errnos are injected, one re-run each, at every operation Run's
	// system calls send through the mount (see the package doc for which
	// those are). The default is DefaultErrnos but EINTR: package os
	// retries a call that fails with EINTR by itself, so an injected one
	// tests Go, not Run, and Run returns nil after it (which
	// ReportsErrors would call a swallowed fault). Set NoErrors to skip
	// error runs. No short writes are injected: (*os.File).Write writes
	// the rest of a short write by itself.
	Errnos   []syscall.Errno
	NoErrors bool
	// MaxStates bounds the crash states per crash point (default 4096);
	// Seed seeds the sample taken beyond it.
	MaxStates int
	Seed      uint64
}

// errnos is what s asks to inject.
func (s *DirSpec) errnos() []syscall.Errno {
	if s.NoErrors || len(s.Errnos) > 0 {
		return errnosOf(s.Errnos, s.NoErrors)
	}
	var errnos []syscall.Errno
	for _, e := range DefaultErrnos {
		if e != syscall.EINTR {
			errnos = append(errnos, e)
		}
	}
	return errnos
}

func (s *DirSpec) name() string {
	if s.Name == "" {
		return unnamed
	}
	return s.Name
}

// CheckDir is [Check] for code that uses package os: it runs spec's Setup
// and Run on a real directory, a crash-recording FUSE mount of a
// faultfs.Mem, and judges the recording as Verify judges a Spec's run:
// every crash state at every crash point under every model, and a re-run
// per injected fault (see the package doc, "Checking a real directory").
// It fails t with the report, which ends with its replay line, as Check
// does, and logs the summary. The mount is gone when CheckDir returns,
// however it returns (Run may panic or call t.FailNow).
//
// Where this process cannot mount FUSE (not Linux, no /dev/fuse, neither
// root nor a fusermount3 helper), CheckDir skips t, saying what is
// missing.
func CheckDir(t testing.TB, spec DirSpec) *Report {
	t.Helper()
	if err := CheckDirAvailable(); err != nil {
		t.Skipf("scenarios.CheckDir: skipped: %v", err)
		return nil
	}
	if spec.Name == "" {
		spec.Name = t.Name()
	}
	rep, err := verifyDir(spec)
	if errors.Is(err, errCannotMount) {
		t.Skipf("scenarios.CheckDir: skipped: %v", err)
		return nil
	}
	return reportToTest(t, rep, err)
}

// CheckDirT is CheckDir for a rapid property, as [CheckT] is Check's:
// inputs drawn from t shrink to the smallest that still fails. A rapid
// property cannot skip its test, so where FUSE cannot be mounted
// CheckDirT fails t: skip such a test first when [CheckDirAvailable]
// returns an error.
func CheckDirT(t *rapid.T, spec DirSpec) *Report {
	t.Helper()
	if err := CheckDirAvailable(); err != nil {
		t.Fatalf("scenarios.CheckDirT: %v (skip the test when scenarios.CheckDirAvailable returns an error)", err)
		return nil
	}
	rep, err := verifyDir(spec)
	return reportToRapid(t, rep, err)
}

// errCannotMount is wrapped by verifyDir's error when the mount itself
// failed: this machine cannot run the check, the spec is not at fault.
var errCannotMount = errors.New("cannot mount FUSE")
