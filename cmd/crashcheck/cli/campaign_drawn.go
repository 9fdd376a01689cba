//go:build linux

package cli

import (
	"slices"
	"strings"
	"sync"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios"
	"github.com/crashcheck/crashcheck/scenarios/suite"
	"pgregory.net/rapid"
)

// drawnCase is what a case drew, for the summary: the models and
// invariants of the spec of its first run (the case as drawn, before any
// shrinking).
type drawnCase struct {
	once       sync.Once
	broken     bool     // the scenario is a known-broken writer (the zoo)
	catchers   []string // the models that catch it ("" for no crash needed)
	models     []string // the spec's own models
	checked    []string // those the -model filter kept
	invariants []string
}

// observeScenario returns sc with its Spec wrapped to record, in the
// returned drawnCase, the first spec it draws.
func observeScenario(sc suite.Scenario, filter []faultfs.Model) (suite.Scenario, *drawnCase) {
	d := &drawnCase{broken: sc.Broken}
	for _, c := range sc.Caught {
		if !slices.Contains(d.catchers, c.Model) {
			d.catchers = append(d.catchers, c.Model)
		}
	}
	draw := sc.Spec
	sc.Spec = func(t *rapid.T) scenarios.Spec {
		spec := draw(t)
		d.once.Do(func() {
			own := spec.Models
			if len(own) == 0 {
				own = faultfs.DefaultModels()
			}
			d.models = modelList(own)
			d.checked = modelList(filterModels(spec.Models, filter))
			for _, inv := range spec.Invariants {
				d.invariants = append(d.invariants, inv.Name)
			}
		})
		return spec
	}
	return sc, d
}

// catchable reports whether the models checked include one that catches
// the known-broken writer, or it needs no crash to be caught.
func (d *drawnCase) catchable() bool {
	return slices.ContainsFunc(d.catchers, func(m string) bool { return m == "" || slices.Contains(d.checked, m) })
}

// skipReason says why a case whose drawn spec kept no model was skipped.
func (d *drawnCase) skipReason(model string) string {
	if d == nil || len(d.models) == 0 {
		return "it checks no model that -model " + model + " keeps"
	}
	return "it checks only " + strings.Join(d.models, ", ") + ", which -model " + model + " leaves out"
}

func modelList(models []faultfs.Model) []string {
	var out []string
	for _, m := range models {
		out = append(out, m.Name())
	}
	return out
}
