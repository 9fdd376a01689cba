//go:build linux

package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crashcheck/crashcheck/faultfs"
)

// parseModels resolves a -model value, the same for every command: one
// model's name, a comma-separated list of them, or "all". The models come
// back in the order given, each once.
func parseModels(s string) ([]faultfs.Model, error) {
	if s == "all" {
		return faultfs.Models(), nil
	}
	var out []faultfs.Model
	for name := range strings.SplitSeq(s, ",") {
		m, err := faultfs.ParseModel(name)
		if err != nil {
			what := fmt.Sprintf("unknown model %q", name)
			switch name {
			case "":
				what = "an empty model name"
			case "all":
				what = "all stands alone"
			}
			return nil, badFlag("model", s, what+" (want "+modelChoices()+")")
		}
		if !slices.ContainsFunc(out, func(o faultfs.Model) bool { return o.Name() == m.Name() }) {
			out = append(out, m)
		}
	}
	return out, nil
}

// modelNames is the canonical -model value of models: their names joined
// by commas, or "all" when they are every model.
func modelNames(models []faultfs.Model) string {
	var names []string
	for _, m := range models {
		names = append(names, m.Name())
	}
	if len(models) == len(faultfs.Models()) {
		return "all"
	}
	return strings.Join(names, ",")
}

// modelChoices describes what -model accepts, from the list of models.
func modelChoices() string {
	return faultfs.ModelNames() + ", a comma-separated list of them, or all"
}

// modelFlagHelp is the -model flag's help text, what the command does with
// the models first.
func modelFlagHelp(what string) string {
	return "persistence models: " + modelChoices() + "; " + what
}
