//go:build linux

package cli

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/crashcheck/crashcheck/scenarios/suite"
)

const tortureUsage = `usage: crashcheck torture [flags]

Runs the harness's scenarios outside go test: case k of a campaign draws
its inputs from the seed and k, checks every crash state of every crash
point and every injected error, and shrinks a failure to a minimal
counterexample printed with the crashcheck replay line that reproduces it.
With several scenarios selected, case k runs the (k mod count)th of them in
-list order. Only the report goes to stdout; progress goes to stderr.

The summary on stderr gives the seed, the cases run and skipped, and the
crash states checked per second (shrinking included). Its closing line is
the verdict in words: PASS or FAIL, the scenarios, models and invariants
checked, why cases were skipped; a zoo campaign also names the cases that
escaped (an input too small to trigger a writer's bug lets it pass, which
is expected).

-json FILE reports {scenario, model, seed, runs, crash_points, states,
seconds, interrupted, violations: [{scenario, model, seed, case,
crash_point, invariant, detail, replay}]}; a violation's model is "" and
its crash_point -1 when no crash is involved. FILE is checked before the
campaign starts and written atomically and durably.

SIGINT (or SIGTERM) stops the campaign: the cases finished are reported
(on stdout, stderr and in -json, marked "interrupted": true) and those
running are dropped; a second one quits at once.

Exit status: 0 no violation, 1 at least one violation, 2 usage error,
130 after SIGINT (143 after SIGTERM).

Flags:
`

// tortureConfig is what crashcheck torture's flags ask for.
type tortureConfig struct {
	list      bool
	scenario  string
	model     string
	campaign  campaign
	seedGiven bool
	jsonPath  string
	verbose   bool
	profile   string
}

func tortureFlags(cfg *tortureConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("crashcheck torture", flag.ContinueOnError)
	fs.BoolVar(&cfg.list, "list", false, "list the scenarios, one a line, and exit")
	fs.StringVar(&cfg.scenario, "scenario", "writer", "a scenario, a prefix ending in / (zoo/), or all")
	fs.StringVar(&cfg.model, "model", "all", modelFlagHelp("check each case under those of its own models listed (a case left with none is skipped)"))
	fs.Duration("duration", 30*time.Second, "start cases for this long; those running then finish (default when -runs is not given)")
	fs.Int("runs", 0, "run the campaign's cases 0..N-1 (this shard's share of them) instead of for a duration")
	fs.String("seed", "", "the campaign's seed (default random, always printed)")
	fs.String("shard", "0/1", "I/N: run only the case indices ≡ I mod N")
	fs.BoolVar(&cfg.campaign.keepGoing, "keep-going", false, "do not stop at the first violation")
	fs.StringVar(&cfg.jsonPath, "json", "", "write the JSON report to `FILE`")
	fs.BoolVar(&cfg.verbose, "v", false, "print a line for each finished case on stderr")
	fs.IntVar(&cfg.campaign.workers, "workers", runtime.GOMAXPROCS(0), "cases run in parallel")
	fs.StringVar(&cfg.profile, "cpuprofile", "", "write a CPU profile to `FILE`")
	return fs
}

// parseTorture parses crashcheck torture's arguments.
func parseTorture(args []string) (*tortureConfig, *flag.FlagSet, error) {
	cfg := &tortureConfig{}
	fs := tortureFlags(cfg)
	if err := parseFlags(fs, args, false); err != nil {
		return nil, fs, err
	}
	set := flagsSet(fs)
	if cfg.list {
		return cfg, fs, nil
	}
	c := &cfg.campaign
	var err error
	if c.scenarios, err = selectScenarios(cfg.scenario); err != nil {
		return nil, fs, err
	}
	if c.filter, err = parseModels(cfg.model); err != nil {
		return nil, fs, err
	}
	cfg.model = modelNames(c.filter)
	if c.shard, c.shards, err = parseShard(flagValue[string](fs, "shard")); err != nil {
		return nil, fs, err
	}
	if set["duration"] && set["runs"] {
		return nil, fs, usagef("-duration and -runs exclude each other")
	}
	if set["runs"] {
		c.runs = flagValue[int](fs, "runs")
		if c.runs < 1 {
			return nil, fs, badFlag("runs", strconv.Itoa(c.runs), "want at least 1")
		}
	} else {
		d := flagValue[time.Duration](fs, "duration")
		if d <= 0 {
			return nil, fs, badFlag("duration", d.String(), "want a positive duration")
		}
		c.deadline = time.Now().Add(d)
	}
	if s := flagValue[string](fs, "seed"); s != "" {
		if c.seed, err = parseSeed(s); err != nil {
			return nil, fs, err
		}
		cfg.seedGiven = true
	} else {
		c.seed = rand.Uint64()
	}
	if c.workers < 1 {
		return nil, fs, badFlag("workers", strconv.Itoa(c.workers), "want at least 1")
	}
	if cfg.jsonPath != "" {
		if err := checkReportPath("json", cfg.jsonPath); err != nil {
			return nil, fs, err
		}
	}
	if cfg.profile != "" {
		if err := checkReportPath("cpuprofile", cfg.profile); err != nil {
			return nil, fs, err
		}
	}
	return cfg, fs, nil
}

func tortureMain(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	cfg, fs, err := parseTorture(args)
	if err != nil {
		return parseFailed(stderr, "torture", tortureUsage, fs, err)
	}
	if cfg.list {
		for _, s := range scenariosForList() {
			fmt.Fprintf(stdout, "%s  %s\n", s[0], s[1])
		}
		return 0
	}
	if cfg.profile != "" {
		f, err := os.Create(cfg.profile)
		if err != nil {
			return commandFailed(stderr, "torture", fmt.Errorf("-cpuprofile: %w", err))
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return commandFailed(stderr, "torture", fmt.Errorf("-cpuprofile: %w", err))
		}
		defer pprof.StopCPUProfile()
	}
	if _, set := os.LookupEnv("GOGC"); !set {
		// A campaign allocates many short-lived crash states and keeps
		// little: collecting four times less often saves about a fifth
		// of the CPU for some 100 MiB more memory (measured on the
		// writer's suite). GOGC, when set, has the last word.
		debug.SetGCPercent(400)
	}
	return torture(cfg, stdout, stderr)
}

// scenariosForList returns each scenario's name and description, in -list
// order.
func scenariosForList() [][2]string {
	var out [][2]string
	for _, s := range suite.Scenarios() {
		out = append(out, [2]string{s.Name, s.Description})
	}
	return out
}

func torture(cfg *tortureConfig, stdout, stderr io.Writer) int {
	c := &cfg.campaign
	var names []string
	for _, s := range c.scenarios {
		names = append(names, s.Name)
	}
	what := fmt.Sprintf("%d cases", c.runs)
	if c.runs == 0 {
		what = time.Until(c.deadline).Round(time.Second).String()
	}
	fmt.Fprintf(stderr, "crashcheck torture: seed %d, scenario %s (%s), model %s, shard %d/%d, %s, %s\n",
		c.seed, cfg.scenario, strings.Join(names, ", "), cfg.model, c.shard, c.shards, what, plural(c.workers, "worker"))
	p := startProgress(stderr, c)
	if cfg.verbose {
		c.onCase = func(r *caseResult, d *drawnCase) {
			state := "ok"
			switch {
			case r.violated():
				state = "VIOLATION"
			case r.skipped:
				state = "skipped: " + d.skipReason(cfg.model)
			}
			p.println(fmt.Sprintf("case %d of %s (case seed %d): %s", r.index, r.scenario, r.seed, state))
		}
	}
	stopped := interruptOnSignal(c, p)
	res := c.run()
	sig := stopped()
	p.end()
	if sig != nil {
		res.interrupted = true // also when it came as the last case ended
	}

	for _, f := range res.failures() {
		printCase(stdout, f, res.drawn[f.index], c.seed, cfg.model, false)
	}
	secs := res.elapsed.Seconds()
	fmt.Fprintf(stderr, "crashcheck torture: seed %d: %s (%d skipped), %d crash points, %d crash states in %.1fs (%s states/s), %s\n",
		c.seed, plural(len(res.cases), "case"), res.skipped, res.crashPoints, res.states, secs, rate(res.states, secs),
		plural(len(res.failures()), "failing case"))
	status := 0
	if len(res.failures()) > 0 {
		status = 1
	}
	if cfg.jsonPath != "" {
		if err := writeJSON(cfg.jsonPath, campaignJSON(cfg.scenario, cfg.model, c.seed, res)); err != nil {
			fmt.Fprintf(stderr, "crashcheck torture: %v\n", err)
			if status == 0 {
				status = 2 // no report, no verdict: never a silent 0
			}
		}
	}
	if line := escaped(res); line != "" {
		fmt.Fprintf(stderr, "crashcheck torture: %s\n", line)
	}
	if sig != nil {
		fmt.Fprintf(stderr, "crashcheck torture: interrupted by %s: the %s finished are reported above, those running were dropped\n",
			signalName(sig), plural(len(res.cases), "case"))
		status = 128 + int(sig.(syscall.Signal))
	}
	fmt.Fprintf(stderr, "crashcheck torture: %s\n", verdict(res, cfg.scenario, cfg.model))
	return status
}
