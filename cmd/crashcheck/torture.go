package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/crashcheck/crashcheck/scenarios/suite"
)

func init() {
	register("torture", "run the scenario suite standalone: a seeded, shardable campaign", tortureMain)
}

const tortureUsage = `usage: crashcheck torture [flags]

Runs the harness's scenarios outside go test: case k of a campaign draws
its inputs from the seed and k, checks every crash state of every crash
point and every injected error, and shrinks a failure to a minimal
counterexample printed with the crashcheck replay line that reproduces it.
With several scenarios selected, case k runs the (k mod count)th of them in
-list order. Only the report goes to stdout; progress goes to stderr, and
the closing line there gives the crash states checked per second (shrinking
included). -json FILE reports {scenario, model, seed, runs, crash_points,
states, seconds, violations: [{scenario, model, seed, case, crash_point,
invariant, detail, replay}]}; a violation's model is "" and its crash_point
-1 when no crash is involved.

Exit status: 0 no violation, 1 at least one violation, 2 usage error.

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
	fs.StringVar(&cfg.model, "model", "all", "process|posix|ext4-ordered|all: keep only this model of each case's own (a case left with none is skipped)")
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
	if err := parseFlags(fs, args); err != nil {
		return nil, fs, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if cfg.list {
		return cfg, fs, nil
	}
	c := &cfg.campaign
	var err error
	if c.scenarios, err = selectScenarios(cfg.scenario); err != nil {
		return nil, fs, err
	}
	if c.filter, err = parseModelFilter(cfg.model); err != nil {
		return nil, fs, err
	}
	if c.shard, c.shards, err = parseShard(fs.Lookup("shard").Value.String()); err != nil {
		return nil, fs, err
	}
	if set["duration"] && set["runs"] {
		return nil, fs, usagef("-duration and -runs exclude each other")
	}
	if set["runs"] {
		c.runs = fs.Lookup("runs").Value.(flag.Getter).Get().(int)
		if c.runs < 1 {
			return nil, fs, usagef("bad -runs %d: want at least 1", c.runs)
		}
	} else {
		d := fs.Lookup("duration").Value.(flag.Getter).Get().(time.Duration)
		if d <= 0 {
			return nil, fs, usagef("bad -duration %v: want a positive duration", d)
		}
		c.deadline = time.Now().Add(d)
	}
	if s := fs.Lookup("seed").Value.String(); s != "" {
		if c.seed, err = parseSeed(s); err != nil {
			return nil, fs, err
		}
		cfg.seedGiven = true
	} else {
		c.seed = rand.Uint64()
	}
	if c.workers < 1 {
		return nil, fs, usagef("bad -workers %d: want at least 1", c.workers)
	}
	return cfg, fs, nil
}

func tortureMain(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	cfg, fs, err := parseTorture(args)
	if errors.Is(err, flag.ErrHelp) {
		io.WriteString(stderr, tortureUsage)
		printDefaults(fs, stderr)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "crashcheck torture: %v\n", err)
		return 2
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
			fmt.Fprintf(stderr, "crashcheck torture: %v\n", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "crashcheck torture: %v\n", err)
			return 2
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
	fmt.Fprintf(stderr, "crashcheck torture: seed %d, scenario %s (%s), model %s, shard %d/%d, %s, %d workers\n",
		c.seed, cfg.scenario, strings.Join(names, ", "), cfg.model, c.shard, c.shards, what, c.workers)
	p := startProgress(stderr, c)
	if cfg.verbose {
		c.onCase = func(r *caseResult) {
			state := "ok"
			switch {
			case r.violated():
				state = "VIOLATION"
			case r.skipped:
				state = "skipped"
			}
			p.println(fmt.Sprintf("case %d of %s (case seed %d): %s", r.index, r.scenario, r.seed, state))
		}
	}
	res := c.run()
	p.end()

	for _, f := range res.failures() {
		printCase(stdout, f, c.seed, cfg.model, false)
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
	return status
}
