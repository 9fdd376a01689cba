package scenarios

import (
	"fmt"

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

// MarshalText gives a Kind's JSON form: "crash", "error" or "success".
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a Kind's JSON form back, so that a report's JSON
// decodes into [ReportJSON].
func (k *Kind) UnmarshalText(b []byte) error {
	for _, c := range []Kind{AfterCrash, AfterError, AfterSuccess} {
		if string(b) == c.String() {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("scenarios: unknown kind %q (want crash, error or success)", b)
}

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
	atAck     *ackViews      // what paths held at the run's acknowledgements
}

// fixedVersions caches what Initial and Final hold: they do not change
// during a Verify, while every crash state asks for them.
type fixedVersions struct {
	initial, final map[string]Version
}

func cachedVersion(cache *map[string]Version, st *faultfs.CrashState, path string) Version {
	if v, ok := (*cache)[path]; ok {
		return v
	}
	v := VersionOf(st, path)
	if *cache == nil {
		*cache = map[string]Version{}
	}
	(*cache)[path] = v
	return v
}

// pathVersion is what a state holds at a path.
type pathVersion struct {
	path string
	v    Version
}

// Current returns what State, the state being judged, holds at path.
func (s *Situation) Current(path string) Version {
	for i := range s.versions {
		if s.versions[i].path == path {
			return s.versions[i].v
		}
	}
	v := VersionOf(s.State, path)
	s.versions = append(s.versions, pathVersion{path, v})
	return v
}

// Before returns what Initial, the durable state before Run, holds at
// path: the "old content".
func (s *Situation) Before(path string) Version {
	if s.fixed == nil {
		s.fixed = &fixedVersions{}
	}
	return cachedVersion(&s.fixed.initial, s.Initial, path)
}

// After returns what Final, the state an uninterrupted, fault-free Run
// left, holds at path: the "new content".
func (s *Situation) After(path string) Version {
	if s.fixed == nil {
		s.fixed = &fixedVersions{}
	}
	return cachedVersion(&s.fixed.final, s.Final, path)
}

// Recovered returns State as a filesystem (a fresh Mem holding it), for
// invariants that need to run code against it.
func (s *Situation) Recovered() faultfs.FS {
	if s.recovered == nil {
		s.recovered = s.State.Mem()
	}
	return s.recovered
}

// Acks returns the acknowledgements the run made before the state being
// judged: those before the crash point after a crash (an ack at the crash
// point's own operation is not among them), every one of the run's once
// it returned. Code under test makes them with [faultfs.Ack]; the slice
// is shared: do not modify it.
func (s *Situation) Acks() []faultfs.AckMark { return s.State.Acks() }

// AckLabels returns the labels of [Situation.Acks], in order.
func (s *Situation) AckLabels() []string {
	acks := s.Acks()
	labels := make([]string, len(acks))
	for i, a := range acks {
		labels[i] = a.Label
	}
	return labels
}

// AtAck returns what path held, as the running program saw it, when the
// acknowledgement ack was made: what the program had written there when
// it said so (none of it need be durable).
func (s *Situation) AtAck(ack faultfs.AckMark, path string) Version {
	if s.atAck == nil || s.atAck.h == nil {
		return VersionOf(s.State, path) // a Situation built by hand: no history to look in
	}
	return s.atAck.version(ack, path)
}

// lastAckOf returns the last acknowledgement labelled label among Acks.
func (s *Situation) lastAckOf(label string) (faultfs.AckMark, bool) {
	acks := s.Acks()
	for i := len(acks) - 1; i >= 0; i-- {
		if acks[i].Label == label {
			return acks[i], true
		}
	}
	return faultfs.AckMark{}, false
}

// ackViews caches, for one run, what paths held at its acknowledgements.
type ackViews struct {
	h     *faultfs.History
	cache map[ackPath]Version
}

type ackPath struct {
	op   int
	path string
}

func (a *ackViews) version(ack faultfs.AckMark, path string) Version {
	key := ackPath{ack.Op, path}
	if v, ok := a.cache[key]; ok {
		return v
	}
	// The process model keeps every completed operation: its one state
	// at the ack's point is what the running program saw.
	var v Version
	a.h.Enumerate(faultfs.Process, ack.Op, faultfs.EnumOptions{}, func(st *faultfs.CrashState) bool {
		v = VersionOf(st, path)
		return false
	})
	if a.cache == nil {
		a.cache = map[ackPath]Version{}
	}
	a.cache[key] = v
	return v
}
