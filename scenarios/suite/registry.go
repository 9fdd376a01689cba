package suite

import (
	"sort"
	"strings"

	"github.com/crashcheck/crashcheck/scenarios"
	"pgregory.net/rapid"
)

// Scenario is a named family of crash tests: each case draws its inputs
// from a rapid.T and returns the Spec to verify, so a failure shrinks to
// the smallest inputs that still fail.
type Scenario struct {
	Name        string
	Description string
	// Spec draws one case.
	Spec func(t *rapid.T) scenarios.Spec
	// Broken is set for the zoo: writers that must be caught. Caught says
	// by which invariant (name prefix) and model ("" for a check that
	// needs no crash).
	Broken bool
	Caught []Catch
}

// Catch names an invariant (by the prefix of its name) and a model that
// together catch a broken writer.
type Catch struct {
	Invariant string
	Model     string
}

var registry = map[string]Scenario{}

// Register adds a scenario; names are unique.
func Register(s Scenario) {
	if _, dup := registry[s.Name]; dup {
		panic("suite: duplicate scenario " + s.Name)
	}
	registry[s.Name] = s
}

// Scenarios returns every registered scenario, sorted by name.
func Scenarios() []Scenario {
	out := make([]Scenario, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Select returns the scenarios a name selects: "all", a name, or a
// prefix ending in "/" ("zoo/").
func Select(name string) []Scenario {
	var out []Scenario
	for _, s := range Scenarios() {
		if name == "all" || s.Name == name || strings.HasSuffix(name, "/") && strings.HasPrefix(s.Name, name) {
			out = append(out, s)
		}
	}
	return out
}
