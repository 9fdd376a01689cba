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
}

// Recovered returns State as a filesystem (a fresh Mem holding it), for
// invariants that need to run code against it.
func (s *Situation) Recovered() faultfs.FS {
	if s.recovered == nil {
		s.recovered = s.State.Mem()
	}
	return s.recovered
}
