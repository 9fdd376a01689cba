//go:build linux || darwin

package faultfs

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestDurableBaseChangesNothing is the property the durable base promises
// (crash_base.go): for every settling model, at every crash point of a
// random workload, enumerating from the base visits the same states, in
// the same order, with the same fingerprints and descriptions, as planning
// every point from op 0; sampled points too.
func TestDurableBaseChangesNothing(t *testing.T) {
	settling := 0
	rapid.Check(t, func(t *rapid.T) {
		m, _ := refWorkload(t)
		h := m.History()
		for _, model := range Models() {
			if _, ok := model.(settlingModel); !ok {
				continue
			}
			settling++
			for point := 0; point < h.Points(); point++ {
				for _, maxStates := range []int{1 << 12, 3} {
					opt := EnumOptions{MaxStates: maxStates, Seed: 11}
					trace := func(useBase bool) ([]string, EnumStats) {
						var out []string
						st := h.enumerate(model, point, opt, useBase, func(s *CrashState) bool {
							c, err := canonOf(s)
							if err != nil {
								t.Fatalf("%s: %v", s.Describe(), err)
							}
							out = append(out, fmt.Sprintf("%s %x\n%s", s.Describe(), s.fingerprint(), c))
							return true
						})
						return out, st
					}
					with, st1 := trace(true)
					without, st2 := trace(false)
					if st1 != st2 || !slices.Equal(with, without) {
						t.Fatalf("%s point %d MaxStates %d: from the base %+v\n%v\nfrom op 0 %+v\n%v\nops:\n%s",
							model.Name(), point, maxStates, st1, with, st2, without, describeOps(h))
					}
				}
			}
		}
	})
	if settling == 0 {
		t.Fatal("no model has a durable base: nothing was compared")
	}
}

// TestBaseFoldsPastWaitingOperations: a file created in a directory that
// is never synced, then written and fsynced line by line. The create
// never settles under posix; the writes do, and since they touch the
// file's inode, not the directory, they fold into the base: at the last
// point only the create is left to plan (so each point costs what is
// pending, not every write since the create).
func TestBaseFoldsPastWaitingOperations(t *testing.T) {
	m := NewMem()
	must(t, m.Mkdir("d", 0o755))
	m.MakeDurable()
	f, err := m.OpenFile("d/log", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	must(t, err)
	for i := range 50 {
		if _, err := fmt.Fprintf(f, "line %d\n", i); err != nil {
			t.Fatal(err)
		}
		must(t, f.Sync())
	}
	must(t, f.Close())
	h := m.History()
	last := h.Points() - 1
	b := h.durableBaseAt(POSIX.(settlingModel), last)
	if len(b.pending) != 1 || h.ops[b.pending[0]].op.Kind != OpCreate {
		t.Fatalf("base at the last point leaves %d ops pending (%v), want the create alone", len(b.pending), b.pending)
	}
	n := 0
	h.Enumerate(POSIX, last, EnumOptions{}, func(s *CrashState) bool {
		n++
		c, err := s.Content("d/log")
		switch {
		case err != nil && s.KeptCount() == 0: // the create lost: no file
		case err != nil || c.Len() != int64(len("line 0\n")*10+len("line 10\n")*40):
			t.Fatalf("%s: d/log holds %d bytes (%v), want all 50 lines", s.Describe(), c.Len(), err)
		}
		return true
	})
	if n != 2 {
		t.Fatalf("%d states at the last point, want 2 (with and without the create)", n)
	}
}
