package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

func init() {
	register("replay", "re-run one case of a torture campaign and print its full report", replayMain)
}

const replayUsage = `usage: crashcheck replay -scenario NAME -seed S -case K [-model M]

Re-runs case K of the torture campaign seeded S, exactly as crashcheck
torture ran it (shrinking a failure to the same minimal counterexample),
and prints its full report with the op trace of the fault-free run.

Exit status: 0 no violation, 1 a violation, 2 usage error.

Flags:
`

func replayMain(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("crashcheck replay", flag.ContinueOnError)
	scenario := fs.String("scenario", "", "the scenario (one name, as the replay line gives it)")
	seed := fs.String("seed", "", "the campaign's seed")
	k := fs.Int("case", -1, "the case index")
	model := fs.String("model", "all", "process|posix|ext4-ordered|all, as the campaign had it")
	err := parseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		io.WriteString(stderr, replayUsage)
		printDefaults(fs, stderr)
		return 0
	}
	if err == nil {
		err = checkReplayFlags(*scenario, *seed, *k)
	}
	var s uint64
	if err == nil {
		s, err = parseSeed(*seed)
	}
	if err != nil {
		fmt.Fprintf(stderr, "crashcheck replay: %v\n", err)
		return 2
	}
	sel, err := selectScenarios(*scenario)
	if err == nil && len(sel) != 1 {
		err = usagef("-scenario %q selects %d scenarios: replay takes one name", *scenario, len(sel))
	}
	models, merr := parseModelFilter(*model)
	if err == nil {
		err = merr
	}
	if err != nil {
		fmt.Fprintf(stderr, "crashcheck replay: %v\n", err)
		return 2
	}
	res := runCase(sel[0], models, s, *k, nil)
	printCase(stdout, res, s, *model, true)
	if res.violated() {
		return 1
	}
	return 0
}

func checkReplayFlags(scenario, seed string, k int) error {
	switch {
	case scenario == "":
		return usagef("-scenario is required")
	case seed == "":
		return usagef("-seed is required")
	case k < 0:
		return usagef("-case is required (a case index, 0 or more)")
	}
	return nil
}
