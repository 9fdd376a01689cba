package scenarios

import (
	"github.com/crashcheck/crashcheck/faultfs"
)

// Kind says when an invariant is being checked.
type Kind uint8

// The situations an invariant is checked in.
const (
	// AfterCrash: State is a state a crash left (see Model, Point).
	AfterCrash Kind = iota + 1
	// AfterError: Run returned an error (a fault was injected); State is
	// what the filesystem held then.
	AfterError
	// AfterSuccess: Run returned nil; State is what it left.
	AfterSuccess
)

func (k Kind) String() string {
	switch k {
	case AfterCrash:
		return "crash"
	case AfterError:
		return "error"
	case AfterSuccess:
		return "success"
	}
	return "?"
}

// Situation is what an invariant is shown.
type Situation struct {
	Kind Kind
	// Model and Point: the crash (AfterCrash only).
	Model string
	Point int
	// Returned is set for a crash after Run had returned; RunErr is what
	// it returned (nil: success).
	Returned bool
	RunErr   error
	// Fault is the injected fault that fired in this run, if any.
	Fault *faultfs.Op
	// State is the filesystem being judged.
	State *faultfs.CrashState
	// Initial is the durable state before Run; Final is what an
	// uninterrupted, fault-free Run left.
	Initial, Final *faultfs.CrashState

	recovered *faultfs.Mem
	versions  []pathVersion  // State's files, read once per situation
	fixed     *fixedVersions // Initial's and Final's, read once per Verify
}

// fixedVersions caches what Initial and Final hold: they do not change
// during a Verify, while every crash state asks for them.
type fixedVersions struct {
	initial, final map[string]fileVersion
}

func cachedVersion(cache *map[string]fileVersion, st *faultfs.CrashState, path string) (fileVersion, error) {
	if v, ok := (*cache)[path]; ok {
		return v, nil
	}
	v, err := versionOf(st, path)
	if err != nil {
		return v, err
	}
	if *cache == nil {
		*cache = map[string]fileVersion{}
	}
	(*cache)[path] = v
	return v, nil
}

// pathVersion is what a state holds at a path.
type pathVersion struct {
	path string
	v    fileVersion
}

// current returns what State holds at path.
func (s *Situation) current(path string) (fileVersion, error) {
	for _, pv := range s.versions {
		if pv.path == path {
			return pv.v, nil
		}
	}
	v, err := versionOf(s.State, path)
	if err == nil {
		s.versions = append(s.versions, pathVersion{path, v})
	}
	return v, err
}

// before returns what Initial holds at path.
func (s *Situation) before(path string) fileVersion {
	if s.fixed == nil {
		s.fixed = &fixedVersions{}
	}
	v, _ := cachedVersion(&s.fixed.initial, s.Initial, path)
	return v
}

// after returns what Final holds at path.
func (s *Situation) after(path string) fileVersion {
	if s.fixed == nil {
		s.fixed = &fixedVersions{}
	}
	v, _ := cachedVersion(&s.fixed.final, s.Final, path)
	return v
}

// Recovered returns State as a filesystem (a fresh Mem holding it), for
// invariants that need to run code against it.
func (s *Situation) Recovered() faultfs.FS {
	if s.recovered == nil {
		s.recovered = s.State.Mem()
	}
	return s.recovered
}
