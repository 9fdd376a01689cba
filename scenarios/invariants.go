package scenarios

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/crashcheck/crashcheck/faultfs"
)

// Invariant is a property checked in every situation of a run. Check
// returns nil when the property holds, or an error that says, for a person,
// what was found instead.
type Invariant struct {
	Name string
	// Property and Path classify the invariant in reports and their
	// JSON: the kind of property ("atomic", "durable", "check", ...;
	// Name when empty) and the path it is about ("" for none).
	Property string
	Path     string
	Check    func(s *Situation) error
}

func (inv Invariant) property() string {
	if inv.Property == "" {
		return inv.Name
	}
	return inv.Property
}

// AtomicReplace: after any crash, error or success, path holds exactly its
// content before Run or exactly its content after an uninterrupted Run
// ("absent" is a content too). After Run returned nil, only the latter.
// After an acknowledgement labelled path ([faultfs.Ack](fsys, path)), the
// old content is no longer acceptable: path must hold what it held when
// the ack was made (the new content, when the ack follows the replace) or
// the new content (ALICE: "old or new" before the program says it is
// done, only new after).
func AtomicReplace(path string) Invariant {
	return Invariant{Name: "AtomicReplace(" + path + ")", Property: "atomic", Path: path, Check: func(s *Situation) error {
		got, old, new := s.Current(path), s.Before(path), s.After(path)
		if s.Kind == AfterSuccess {
			if got.SameContent(new) {
				return nil
			}
			return fmt.Errorf("%s after Run returned nil, not the new content (%s)", holds(path, got), against(new, got))
		}
		if ack, ok := s.lastAckOf(path); ok {
			at := s.AtAck(ack, path)
			if got.SameContent(at) || got.SameContent(new) {
				return nil
			}
			if at.SameContent(new) {
				return fmt.Errorf("%s after the acknowledgement #%d ack %q: only the new content (%s) may survive it",
					holds(path, got), ack.Op, ack.Label, against(new, got))
			}
			return fmt.Errorf("%s after the acknowledgement #%d ack %q: neither what it held then (%s) nor the new content (%s)",
				holds(path, got), ack.Op, ack.Label, against(at, got), against(new, got))
		}
		if got.SameContent(old) || got.SameContent(new) {
			return nil
		}
		return fmt.Errorf("%s: neither the old content (%s) nor the new (%s)",
			holds(path, got), against(old, got), against(new, got))
	}}
}

// holds says what path holds in got, for a report: "f holds 3 bytes
// \"abc\", mode 0644", or "f is absent".
func holds(path string, got Version) string {
	if !got.Exists {
		return path + " is absent"
	}
	return path + " holds " + got.String()
}

// against describes want and, when there is one, where got first differs
// from it.
func against(want, got Version) string {
	if d := got.Diff(want); d != "" {
		return want.String() + "; " + d
	}
	return want.String()
}

// Durable: a crash after Run returned nil leaves path with its new content.
func Durable(path string) Invariant {
	return Invariant{Name: "Durable(" + path + ")", Property: "durable", Path: path, Check: func(s *Situation) error {
		if s.Kind != AfterCrash || !s.Returned || s.RunErr != nil {
			return nil
		}
		got, new := s.Current(path), s.After(path)
		if got.SameContent(new) {
			return nil
		}
		if !got.Exists {
			return fmt.Errorf("after Run returned nil, a crash left %s absent instead of holding the new content (%s)", path, new)
		}
		return fmt.Errorf("after Run returned nil, a crash left %s holding %s instead of the new content (%s)",
			path, got, new)
	}}
}

// NoLeftovers: once Run has returned (with or without an error), dir holds
// only the names it held before, plus those in keep.
func NoLeftovers(dir string, keep ...string) Invariant {
	return Invariant{Name: "NoLeftovers(" + dir + ")", Property: "no-leftovers", Path: dir, Check: func(s *Situation) error {
		if s.Kind == AfterCrash {
			return nil
		}
		before := map[string]bool{}
		if ents, err := s.Initial.ReadDir(dir); err == nil {
			for _, e := range ents {
				before[e.Name()] = true
			}
		}
		ents, err := s.State.ReadDir(dir)
		if err != nil {
			return nil // no directory, nothing left in it
		}
		var extra []string
		for _, e := range ents {
			name := path.Join(dir, e.Name())
			if before[e.Name()] || slices.Contains(keep, e.Name()) || removalFailed(s, name) {
				continue
			}
			extra = append(extra, name)
		}
		if len(extra) == 0 {
			return nil
		}
		when := "returned nil"
		if s.RunErr != nil {
			when = fmt.Sprintf("returned %q", s.RunErr)
		}
		return fmt.Errorf("after Run %s, %s was left behind", when, strings.Join(extra, ", "))
	}}
}

// removalFailed reports whether the fault injected in this run was the
// removal of name: what the code could not remove it cannot be blamed for
// leaving, as long as it reported the error.
func removalFailed(s *Situation, name string) bool {
	return s.Fault != nil && s.RunErr != nil && s.Fault.Kind == faultfs.OpRemove &&
		path.Clean(s.Fault.Path) == name
}

// ModePreserved: whenever path holds its old content it has its old mode,
// whenever it holds the new content it has the mode an uninterrupted Run
// gave it, and that mode is the old one when the file existed before.
func ModePreserved(path string) Invariant {
	return Invariant{Name: "ModePreserved(" + path + ")", Property: "mode", Path: path, Check: func(s *Situation) error {
		got := s.Current(path)
		if got.Err != nil || !got.Exists {
			return nil
		}
		old, new := s.Before(path), s.After(path)
		if old.Exists && new.Exists && old.Mode != new.Mode {
			return fmt.Errorf("%s had mode %s before Run and %s after it", path, Octal(old.Mode), Octal(new.Mode))
		}
		if got.Equal(old) || got.Equal(new) {
			return nil
		}
		switch {
		case got.SameContent(new):
			return fmt.Errorf("%s holds the new content with mode %s, not %s", path, Octal(got.Mode), Octal(new.Mode))
		case got.SameContent(old):
			return fmt.Errorf("%s holds the old content with mode %s, not %s", path, Octal(got.Mode), Octal(old.Mode))
		}
		return nil // neither content: AtomicReplace's business
	}}
}

// ModeIs: whenever path holds the new content its mode is mode, and
// whenever it holds the old content, the old mode (for code that sets a
// mode on purpose, where ModePreserved does not apply).
func ModeIs(path string, mode fs.FileMode) Invariant {
	return Invariant{Name: fmt.Sprintf("ModeIs(%s, %s)", path, Octal(mode)), Property: "mode", Path: path, Check: func(s *Situation) error {
		got := s.Current(path)
		if got.Err != nil || !got.Exists {
			return nil
		}
		want := mode & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		switch new, old := s.After(path), s.Before(path); {
		case got.SameContent(new) && got.Mode == want, got.Equal(old):
			return nil
		case got.SameContent(new):
			return fmt.Errorf("%s holds the new content with mode %s, not %s", path, Octal(got.Mode), Octal(want))
		case got.SameContent(old):
			return fmt.Errorf("%s holds the old content with mode %s, not %s", path, Octal(got.Mode), Octal(old.Mode))
		}
		return nil // neither content: AtomicReplace's business
	}}
}

// ReportsErrors: when a fault is injected and fires, Run returns an error.
// (Code that legitimately retries or ignores some errors should not use it.)
func ReportsErrors() Invariant {
	return Invariant{Name: "ReportsErrors", Property: "reports-errors", Check: func(s *Situation) error {
		if s.Kind != AfterSuccess || s.Fault == nil {
			return nil
		}
		return fmt.Errorf("the injected fault %s was not reported: Run returned nil", s.Fault)
	}}
}

// Holds turns a check of the recovered filesystem into an invariant
// checked after every crash.
func Holds(name string, check func(recovered faultfs.FS) error) Invariant {
	return Invariant{Name: name, Check: func(s *Situation) error {
		if s.Kind != AfterCrash {
			return nil
		}
		return check(s.Recovered())
	}}
}

// Acked turns a check of the recovered filesystem that knows what the
// program acknowledged into an invariant checked after every crash:
// labels are those of the acknowledgements ([faultfs.Ack]) made before
// the crash point, in order. It is the general form of AckedRecords.
func Acked(name string, check func(labels []string, recovered faultfs.FS) error) Invariant {
	return Invariant{Name: name, Property: "acked", Check: func(s *Situation) error {
		if s.Kind != AfterCrash {
			return nil
		}
		return check(s.AckLabels(), s.Recovered())
	}}
}

// AckedRecords: every record acknowledged before the crash survives in
// path, for an append-only log that acknowledges each record with
// [faultfs.Ack](fsys, record): each label acknowledged before the crash
// point (after a crash) or during the run (once Run returned) is found in
// path's content, in the order acknowledged, each after the one before.
// What was not acknowledged yet may or may not be there.
func AckedRecords(path string) Invariant {
	return Invariant{Name: "AckedRecords(" + path + ")", Property: "acked", Path: path, Check: func(s *Situation) error {
		acks := s.Acks()
		if len(acks) == 0 {
			return nil
		}
		got := s.Current(path)
		var data []byte
		if got.Exists && got.Err == nil {
			data = got.Content.Bytes()
		}
		at := 0
		for i, a := range acks {
			j := bytes.Index(data[at:], []byte(a.Label))
			if j < 0 {
				return fmt.Errorf("%s: record %d of the %d acknowledged (#%d ack %q) did not survive",
					holds(path, got), i+1, len(acks), a.Op, a.Label)
			}
			at += j + len(a.Label)
		}
		return nil
	}}
}

// Octal prints a mode's permission bits in octal, with the setuid (4000),
// setgid (2000) and sticky (1000) bits: 0644, 4755. Reports print every
// mode this way.
func Octal(mode fs.FileMode) string {
	v := uint32(mode.Perm())
	if mode&fs.ModeSetuid != 0 {
		v |= 0o4000
	}
	if mode&fs.ModeSetgid != 0 {
		v |= 0o2000
	}
	if mode&fs.ModeSticky != 0 {
		v |= 0o1000
	}
	return fmt.Sprintf("%04o", v)
}
