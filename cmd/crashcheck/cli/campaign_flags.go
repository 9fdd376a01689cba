//go:build linux

package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/crashcheck/crashcheck/scenarios/suite"
)

// selectScenarios resolves -scenario: a name, a prefix ending in "/", or
// "all".
func selectScenarios(name string) ([]suite.Scenario, error) {
	sel := suite.Select(name)
	if len(sel) == 0 {
		var names []string
		for _, s := range suite.Scenarios() {
			names = append(names, s.Name)
		}
		return nil, badFlag("scenario", name, fmt.Sprintf("unknown scenario (want one of -list: %s, a prefix ending in /, or all)", strings.Join(names, ", ")))
	}
	return sel, nil
}

// parseShard resolves -shard I/N, 0 ≤ I < N.
func parseShard(s string) (shard, shards int, err error) {
	i, n, ok := strings.Cut(s, "/")
	a, err1 := strconv.Atoi(i)
	b, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || b < 1 || a < 0 || a >= b {
		return 0, 0, badFlag("shard", s, "want I/N with 0 <= I < N")
	}
	return a, b, nil
}

// parseSeed resolves -seed: a decimal or 0x-prefixed uint64.
func parseSeed(s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, badFlag("seed", s, "want an unsigned 64-bit integer (decimal or 0x hex)")
	}
	return v, nil
}

// replayLine is the command that re-runs case k.
func replayLine(scenario string, seed uint64, k int, model string) string {
	s := fmt.Sprintf("crashcheck replay -scenario %s -seed %d -case %d", scenario, seed, k)
	if model != "all" {
		s += " -model " + model
	}
	return s
}
