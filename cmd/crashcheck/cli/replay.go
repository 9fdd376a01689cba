//go:build linux

package cli

import (
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios/suite"
)

const replayUsage = `usage: crashcheck replay -scenario NAME -seed S -case K [-model M]

Re-runs case K of the torture campaign seeded S, exactly as crashcheck
torture ran it (shrinking a failure to the same minimal counterexample),
and prints its full report with the op trace of the fault-free run.

Exit status: 0 no violation, 1 a violation, 2 usage error.

Flags:
`

// replayConfig is what crashcheck replay's flags ask for.
type replayConfig struct {
	scenario string
	sc       suite.Scenario
	seed     uint64
	k        int
	model    string
	filter   []faultfs.Model
}

// parseReplay parses crashcheck replay's arguments.
func parseReplay(args []string) (*replayConfig, *flag.FlagSet, error) {
	cfg := &replayConfig{}
	fs := flag.NewFlagSet("crashcheck replay", flag.ContinueOnError)
	fs.StringVar(&cfg.scenario, "scenario", "", "the scenario (one name, as the replay line gives it)")
	seed := fs.String("seed", "", "the campaign's seed")
	fs.IntVar(&cfg.k, "case", -1, "the case index, 0 or more")
	fs.StringVar(&cfg.model, "model", "all", modelFlagHelp("as the campaign had it"))
	if err := parseFlags(fs, args, false); err != nil {
		return nil, fs, err
	}
	set := flagsSet(fs)
	switch {
	case !set["scenario"]:
		return nil, fs, usagef("-scenario is required")
	case !set["seed"]:
		return nil, fs, usagef("-seed is required")
	case !set["case"]:
		return nil, fs, usagef("-case is required (a case index, 0 or more)")
	case cfg.k < 0:
		return nil, fs, badFlag("case", strconv.Itoa(cfg.k), "want a case index, 0 or more")
	}
	var err error
	if cfg.seed, err = parseSeed(*seed); err != nil {
		return nil, fs, err
	}
	sel, err := selectScenarios(cfg.scenario)
	if err != nil {
		return nil, fs, err
	}
	if len(sel) != 1 {
		return nil, fs, badFlag("scenario", cfg.scenario, fmt.Sprintf("selects %d scenarios: replay takes one name", len(sel)))
	}
	cfg.sc = sel[0]
	if cfg.filter, err = parseModels(cfg.model); err != nil {
		return nil, fs, err
	}
	cfg.model = modelNames(cfg.filter)
	return cfg, fs, nil
}

func replayMain(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	cfg, fs, err := parseReplay(args)
	if err != nil {
		return parseFailed(stderr, "replay", replayUsage, fs, err)
	}
	sc, d := observeScenario(cfg.sc, cfg.filter)
	res := runCase(sc, cfg.filter, cfg.seed, cfg.k, nil)
	printCase(stdout, res, d, cfg.seed, cfg.model, true)
	if res.violated() {
		return 1
	}
	return 0
}
