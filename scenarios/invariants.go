package scenarios

import (
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
func AtomicReplace(path string) Invariant {
	return Invariant{Name: "AtomicReplace(" + path + ")", Property: "atomic", Path: path, Check: func(s *Situation) error {
		got, old, new := s.Current(path), s.Before(path), s.After(path)
		if s.Kind == AfterSuccess {
			if got.SameContent(new) {
				return nil
			}
			return fmt.Errorf("%s holds %s after Run returned nil, not the new content (%s; %s)",
				path, got, new, got.Diff(new))
		}
		if got.SameContent(old) || got.SameContent(new) {
			return nil
		}
		return fmt.Errorf("%s holds %s: neither the old content (%s; %s) nor the new (%s; %s)",
			path, got, old, got.Diff(old), new, got.Diff(new))
	}}
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
			return fmt.Errorf("%s had mode %04o before Run and %04o after it", path, uint32(old.Mode), uint32(new.Mode))
		}
		if got.Equal(old) || got.Equal(new) {
			return nil
		}
		switch {
		case got.SameContent(new):
			return fmt.Errorf("%s holds the new content with mode %04o, not %04o", path, uint32(got.Mode), uint32(new.Mode))
		case got.SameContent(old):
			return fmt.Errorf("%s holds the old content with mode %04o, not %04o", path, uint32(got.Mode), uint32(old.Mode))
		}
		return nil // neither content: AtomicReplace's business
	}}
}

// ModeIs: whenever path holds the new content its mode is mode, and
// whenever it holds the old content, the old mode (for code that sets a
// mode on purpose, where ModePreserved does not apply).
func ModeIs(path string, mode fs.FileMode) Invariant {
	return Invariant{Name: fmt.Sprintf("ModeIs(%s, %04o)", path, uint32(mode.Perm())), Property: "mode", Path: path, Check: func(s *Situation) error {
		got := s.Current(path)
		if got.Err != nil || !got.Exists {
			return nil
		}
		want := mode & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		switch new, old := s.After(path), s.Before(path); {
		case got.SameContent(new) && got.Mode == want, got.Equal(old):
			return nil
		case got.SameContent(new):
			return fmt.Errorf("%s holds the new content with mode %v, not %v", path, got.Mode, want)
		case got.SameContent(old):
			return fmt.Errorf("%s holds the old content with mode %v, not %v", path, got.Mode, old.Mode)
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
