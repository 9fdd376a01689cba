package scenarios

import (
	"errors"
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
	Name  string
	Check func(s *Situation) error
}

// fileVersion is what a path holds in a state: absent, or a content and mode.
type fileVersion struct {
	exists  bool
	content faultfs.Content
	mode    fs.FileMode
}

func versionOf(st *faultfs.CrashState, name string) (fileVersion, error) {
	c, mode, err := st.File(name)
	if errors.Is(err, fs.ErrNotExist) {
		return fileVersion{}, nil
	}
	if err != nil {
		return fileVersion{}, err
	}
	return fileVersion{exists: true, content: c, mode: mode}, nil
}

func (v fileVersion) sameContent(w fileVersion) bool {
	if v.exists != w.exists {
		return false
	}
	return !v.exists || v.content.Equal(w.content)
}

// describe prints a version for a report: absent, or its size and first bytes.
func (v fileVersion) describe() string {
	if !v.exists {
		return "absent"
	}
	return fmt.Sprintf("%d bytes %s, mode %04o", v.content.Len(), quotePrefix(v.content.Prefix(24), v.content.Len()), uint32(v.mode.Perm()))
}

func quotePrefix(b []byte, size int64) string {
	s := fmt.Sprintf("%q", b)
	if int64(len(b)) < size {
		s += "..."
	}
	return s
}

// diff says where a content first differs from another.
func diff(got, want fileVersion) string {
	if !got.exists || !want.exists {
		return ""
	}
	g, w := got.content.Bytes(), want.content.Bytes()
	n := min(len(g), len(w))
	for i := 0; i < n; i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("first differs at byte %d", i)
		}
	}
	if len(g) != len(w) {
		return fmt.Sprintf("same first %d bytes, sizes differ", n)
	}
	return "same bytes"
}

// AtomicReplace: after any crash, error or success, path holds exactly its
// content before Run or exactly its content after an uninterrupted Run
// ("absent" is a content too). After Run returned nil, only the latter.
func AtomicReplace(path string) Invariant {
	return Invariant{Name: "AtomicReplace(" + path + ")", Check: func(s *Situation) error {
		got, err := s.current(path)
		if err != nil {
			return fmt.Errorf("%s: unreadable: %v", path, err)
		}
		old := s.before(path)
		new := s.after(path)
		if s.Kind == AfterSuccess {
			if got.sameContent(new) {
				return nil
			}
			return fmt.Errorf("%s holds %s after Run returned nil, not the new content (%s; %s)",
				path, got.describe(), new.describe(), diff(got, new))
		}
		if got.sameContent(old) || got.sameContent(new) {
			return nil
		}
		return fmt.Errorf("%s holds %s: neither the old content (%s; %s) nor the new (%s; %s)",
			path, got.describe(), old.describe(), diff(got, old), new.describe(), diff(got, new))
	}}
}

// Durable: a crash after Run returned nil leaves path with its new content.
func Durable(path string) Invariant {
	return Invariant{Name: "Durable(" + path + ")", Check: func(s *Situation) error {
		if s.Kind != AfterCrash || !s.Returned || s.RunErr != nil {
			return nil
		}
		got, err := s.current(path)
		if err != nil {
			return fmt.Errorf("%s: unreadable: %v", path, err)
		}
		new := s.after(path)
		if got.sameContent(new) {
			return nil
		}
		return fmt.Errorf("after Run returned nil, a crash left %s holding %s instead of the new content (%s)",
			path, got.describe(), new.describe())
	}}
}

// NoLeftovers: once Run has returned (with or without an error), dir holds
// only the names it held before, plus those in keep.
func NoLeftovers(dir string, keep ...string) Invariant {
	return Invariant{Name: "NoLeftovers(" + dir + ")", Check: func(s *Situation) error {
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
	return Invariant{Name: "ModePreserved(" + path + ")", Check: func(s *Situation) error {
		got, err := s.current(path)
		if err != nil || !got.exists {
			return nil
		}
		old := s.before(path)
		new := s.after(path)
		if old.exists && new.exists && old.mode != new.mode {
			return fmt.Errorf("%s had mode %04o before Run and %04o after it", path, uint32(old.mode), uint32(new.mode))
		}
		if got.sameContent(old) && got.mode == old.mode || got.sameContent(new) && got.mode == new.mode {
			return nil
		}
		switch {
		case got.sameContent(new):
			return fmt.Errorf("%s holds the new content with mode %04o, not %04o", path, uint32(got.mode), uint32(new.mode))
		case got.sameContent(old):
			return fmt.Errorf("%s holds the old content with mode %04o, not %04o", path, uint32(got.mode), uint32(old.mode))
		}
		return nil // neither content: AtomicReplace's business
	}}
}

// ModeIs: whenever path holds the new content its mode is mode, and
// whenever it holds the old content, the old mode (for code that sets a
// mode on purpose, where ModePreserved does not apply).
func ModeIs(path string, mode fs.FileMode) Invariant {
	return Invariant{Name: fmt.Sprintf("ModeIs(%s, %04o)", path, uint32(mode.Perm())), Check: func(s *Situation) error {
		got, err := s.current(path)
		if err != nil || !got.exists {
			return nil
		}
		want := mode & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		switch new, old := s.after(path), s.before(path); {
		case got.sameContent(new) && got.mode == want, got.sameContent(old) && got.mode == old.mode:
			return nil
		case got.sameContent(new):
			return fmt.Errorf("%s holds the new content with mode %v, not %v", path, got.mode, want)
		case got.sameContent(old):
			return fmt.Errorf("%s holds the old content with mode %v, not %v", path, got.mode, old.mode)
		}
		return nil // neither content: AtomicReplace's business
	}}
}

// ReportsErrors: when a fault is injected and fires, Run returns an error.
// (Code that legitimately retries or ignores some errors should not use it.)
func ReportsErrors() Invariant {
	return Invariant{Name: "ReportsErrors", Check: func(s *Situation) error {
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
