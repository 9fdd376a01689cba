//go:build linux || darwin

package faultfs

import (
	"fmt"
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
