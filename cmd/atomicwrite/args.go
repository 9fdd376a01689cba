package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/crashcheck/crashcheck/writer"
)

// The command-line convention, crashcheck's too:
//
//   - -h (or -help) prints the usage, the flags and the rules once, on
//     stderr, and exits 0;
//   - a usage error prints one line naming what was wrong ("atomicwrite:
//     bad -m 0689: why"), then "Run 'atomicwrite -h' for usage.", and
//     exits 2 before anything is read or written.

// usageError is a usage problem: its text is the one line printed before
// the hint to use -h and exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// usageFailed prints err as atomicwrite's usage error and returns 2.
func usageFailed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "atomicwrite: %v\nRun 'atomicwrite -h' for usage.\n", err)
	return 2
}

// invocation is what the command line asks for.
type invocation struct {
	name      string // FILE, "" with -clean
	clean     string // -clean DIR
	older     time.Duration
	appendOld bool
	emptyOK   bool
	opts      []writer.Option
}

// parseArgs parses atomicwrite's arguments (without the program name). It
// returns flag.ErrHelp for -h and a *usageError for anything else wrong.
func parseArgs(args []string) (*invocation, error) {
	fset := flag.NewFlagSet("atomicwrite", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	modeFlag := fset.String("m", "", "")
	backup := fset.String("b", "", "")
	appendFlag := fset.Bool("a", false, "")
	noSync := fset.Bool("no-sync", false, "")
	allowLoss := fset.Bool("allow-xattr-loss", false, "")
	allowOwnerLoss := fset.Bool("allow-owner-loss", false, "")
	emptyOK := fset.Bool("empty-ok", false, "")
	clean := fset.String("clean", "", "")
	older := fset.Duration("older", staleAge, "")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, flagPackageError(fset, err)
	}
	set := map[string]bool{}
	fset.Visit(func(f *flag.Flag) { set[f.Name] = true })
	inv := &invocation{older: *older, appendOld: *appendFlag, emptyOK: *emptyOK}

	if set["clean"] {
		if *clean == "" {
			return nil, usagef(`bad -clean "": want a directory`)
		}
		if fset.NArg() != 0 {
			return nil, usagef("unexpected argument %s: -clean DIR takes no FILE", quoteValue(fset.Arg(0)))
		}
		for _, f := range []string{"m", "b", "a", "no-sync", "allow-xattr-loss", "allow-owner-loss", "empty-ok"} {
			if set[f] {
				return nil, usagef("-%s does not go with -clean", f)
			}
		}
		inv.clean = *clean
		return inv, nil
	}
	if set["older"] {
		return nil, usagef("-older is for -clean only")
	}
	switch {
	case fset.NArg() == 0:
		return nil, usagef("no FILE given")
	case fset.NArg() > 1:
		return nil, usagef("unexpected argument %s: one FILE only", quoteValue(fset.Arg(1)))
	case fset.Arg(0) == "":
		return nil, usagef(`bad FILE "": empty name`)
	}
	inv.name = fset.Arg(0)
	if set["m"] {
		perm, err := parseMode(*modeFlag)
		if err != nil {
			return nil, usagef("bad -m %s: %v", quoteValue(*modeFlag), err)
		}
		inv.opts = append(inv.opts, writer.WithMode(perm))
	}
	if set["b"] && *backup == "" {
		return nil, usagef(`bad -b "": want a non-empty SUFFIX`)
	}
	if *backup != "" {
		inv.opts = append(inv.opts, writer.WithBackup(*backup))
	}
	if *noSync {
		inv.opts = append(inv.opts, writer.WithDurability(writer.NoSync))
	}
	if *allowLoss {
		inv.opts = append(inv.opts, writer.WithAllowXattrLoss())
	}
	if *allowOwnerLoss {
		inv.opts = append(inv.opts, writer.WithAllowOwnerLoss())
	}
	return inv, nil
}

// flagValueError matches the flag package's message for a value that did
// not parse.
var flagValueError = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-([^:]+): `)

// flagPackageError rewords an error of the flag package as one usage line
// naming the flag.
func flagPackageError(fset *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return usagef("unknown flag %s", name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return usagef("flag %s needs a value", name)
	}
	if m := flagValueError.FindStringSubmatch(msg); m != nil {
		value, name := m[1], m[2]
		if u, err := strconv.Unquote(`"` + value + `"`); err == nil {
			value = u
		}
		why := "want true or false"
		if f := fset.Lookup(name); f != nil {
			if _, ok := f.Value.(flag.Getter).Get().(time.Duration); ok {
				why = "want a duration such as 30s, 5m or 1h"
			}
		}
		return usagef("bad -%s %s: %s", name, quoteValue(value), why)
	}
	return &usageError{msg: msg}
}

// quoteValue quotes a value for a message when it is empty or holds
// anything but plain characters.
func quoteValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\"'\\") || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return strconv.Quote(v)
	}
	return qname(v)
}
