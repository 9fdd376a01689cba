package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios/suite"
)

// usageError is a usage problem: its text is the one line printed before
// exiting with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// parseFlags parses args with fs, whose output is silenced: a bad flag
// comes back as a usage error of one line, -h as flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// printDefaults prints fs's flags to w.
func printDefaults(fs *flag.FlagSet, w io.Writer) {
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// selectScenarios resolves -scenario: a name, a prefix ending in "/", or
// "all".
func selectScenarios(name string) ([]suite.Scenario, error) {
	sel := suite.Select(name)
	if len(sel) == 0 {
		var names []string
		for _, s := range suite.Scenarios() {
			names = append(names, s.Name)
		}
		return nil, usagef("unknown scenario %q (see -list: %s, a prefix ending in /, or all)", name, strings.Join(names, ", "))
	}
	return sel, nil
}

// parseModelFilter resolves -model: "all" (nil filter) or one model.
func parseModelFilter(name string) ([]faultfs.Model, error) {
	if name == "all" {
		return nil, nil
	}
	m, err := faultfs.ParseModel(name)
	if err != nil {
		return nil, usagef("unknown model %q (want %s|all)", name, faultfs.ModelNames())
	}
	return []faultfs.Model{m}, nil
}

// parseShard resolves -shard I/N, 0 ≤ I < N.
func parseShard(s string) (shard, shards int, err error) {
	i, n, ok := strings.Cut(s, "/")
	a, err1 := strconv.Atoi(i)
	b, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || b < 1 || a < 0 || a >= b {
		return 0, 0, usagef("bad -shard %q: want I/N with 0 <= I < N", s)
	}
	return a, b, nil
}

// parseSeed resolves -seed: a decimal or 0x-prefixed uint64.
func parseSeed(s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, usagef("bad -seed %q: want an unsigned 64-bit integer", s)
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
