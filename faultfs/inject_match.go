package faultfs

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// A Trigger picks the op a Fault fires at. Triggers are values: the same
// Trigger may arm any number of injectors, each of which keeps its own count
// of matching ops.
type Trigger interface {
	trigger() trigger
	fmt.Stringer
}

// trigger is what every Trigger reduces to: an op index, or the nth match.
type trigger struct {
	index int   // OnIndex: the op's Index; -1 for OnNth
	nth   int   // OnNth: fire at this match, from 1
	match Match // OnNth: nil matches every op
}

func (t trigger) trigger() trigger { return t }

func (t trigger) String() string {
	if t.index >= 0 {
		return fmt.Sprintf("#%d", t.index)
	}
	if t.match == nil {
		return fmt.Sprintf("op %d", t.nth)
	}
	return fmt.Sprintf("match %d", t.nth)
}

// fires reports whether f's trigger picks op, counting op if it matches.
func (f *faultState) fires(op *Op) bool {
	t := &f.when
	if t.index >= 0 {
		return op.Index == t.index
	}
	if t.match != nil && !t.match(*op) {
		return false
	}
	f.count++
	return f.count == t.nth
}

// OnIndex fires at the op whose trace Index is n (from 0). It never fires
// if n is negative.
func OnIndex(n int) Trigger {
	if n < 0 {
		return trigger{index: -1, nth: 0}
	}
	return trigger{index: n}
}

// OnNth fires at the nth op (from 1) for which match returns true; a nil
// match counts every op. It never fires if n is below 1. The match sees
// the op before it runs: every field but N and Err is filled.
func OnNth(n int, match Match) Trigger {
	if n < 1 {
		n = 0 // the count starts at 1: never equal
	}
	return trigger{index: -1, nth: n, match: match}
}

// A Match is a predicate on ops, for OnNth. It sees the op before it runs.
type Match func(Op) bool

// Kinds matches ops of any of the given kinds.
func Kinds(kinds ...OpKind) Match {
	var set uint64
	for _, k := range kinds {
		set |= 1 << (k & 63)
	}
	return func(op Op) bool { return set&(1<<(op.Kind&63)) != 0 }
}

// PathMatch matches ops whose Path matches pattern, in the syntax of
// path.Match; a pattern without a slash is matched against the Path's base
// name, so "*.tmp" matches "dir/f.tmp". It panics if pattern is malformed.
func PathMatch(pattern string) Match {
	return pathMatch(pattern, false)
}

// NewPathMatch is PathMatch on an op's NewPath: the new name of a rename
// or link, the name of a symlink.
func NewPathMatch(pattern string) Match {
	return pathMatch(pattern, true)
}

func pathMatch(pattern string, newPath bool) Match {
	if _, err := path.Match(pattern, ""); err != nil {
		panic(fmt.Sprintf("faultfs: bad path pattern %q: %v", pattern, err))
	}
	base := !strings.Contains(pattern, "/")
	return func(op Op) bool {
		p := op.Path
		if newPath {
			p = op.NewPath
		}
		p = filepath.ToSlash(p)
		if base {
			p = path.Base(p)
		}
		ok, _ := path.Match(pattern, p)
		return ok
	}
}

// And matches ops that every m matches (every op, if there are none).
func And(ms ...Match) Match {
	return func(op Op) bool {
		for _, m := range ms {
			if !m(op) {
				return false
			}
		}
		return true
	}
}

// Or matches ops that any m matches (no op, if there are none).
func Or(ms ...Match) Match {
	return func(op Op) bool {
		for _, m := range ms {
			if m(op) {
				return true
			}
		}
		return false
	}
}

// Not matches the ops m does not.
func Not(m Match) Match {
	return func(op Op) bool { return !m(op) }
}
