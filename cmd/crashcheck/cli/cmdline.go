//go:build linux

package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// The command-line convention every command follows:
//
//   - -h (or -help) prints the command's usage and flags once, on stderr,
//     and exits 0;
//   - a usage error prints one line naming what was wrong, "crashcheck
//     CMD: bad -flag VALUE: why", then one line pointing at -h, and exits
//     2 before any work is done;
//   - flags are written with one dash in messages and usage; two dashes
//     are accepted too (the flag package treats them alike).

// usageError is a usage problem: its text is the one line printed before
// the hint to use -h and exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// badFlag is the usage error of a flag whose value is wrong.
func badFlag(name, value, why string) error {
	return usagef("bad -%s %s: %s", name, quoteValue(value), why)
}

// quoteValue quotes a flag value for a message when it is empty or holds
// anything but plain characters.
func quoteValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\n\"'\\") || strings.IndexFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return fmt.Sprintf("%q", v)
	}
	return v
}

// parseFlags parses args with fs, whose output is silenced: -h comes back
// as flag.ErrHelp, anything else wrong as a usage error of one line naming
// the flag. With allowArgs false, an argument after the flags is an error.
func parseFlags(fs *flag.FlagSet, args []string, allowArgs bool) error {
	fs.SetOutput(io.Discard)
	var bad *setError
	// Wrap each value to learn which flag failed, and unwrap them after:
	// printing the defaults looks at the values' own types.
	fs.VisitAll(func(f *flag.Flag) { f.Value = &namedValue{Value: f.Value, name: f.Name, failed: &bad} })
	err := fs.Parse(args)
	fs.VisitAll(func(f *flag.Flag) { f.Value = f.Value.(*namedValue).Value })
	switch {
	case errors.Is(err, flag.ErrHelp):
		return err
	case bad != nil:
		return badFlag(bad.name, bad.value, bad.why())
	case err != nil:
		return &usageError{msg: flagPackageError(err.Error())}
	case !allowArgs && fs.NArg() > 0:
		return usagef("unexpected argument %s (every input is a flag)", quoteValue(fs.Arg(0)))
	}
	return nil
}

// flagPackageError rewords the flag package's own messages, those not about
// a value, in our style.
func flagPackageError(msg string) string {
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return "unknown flag " + name
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return "flag " + name + " needs a value"
	}
	return msg
}

// setError is a flag value that did not parse.
type setError struct {
	name, value string
	err         error
	kind        any // the flag's value type, from its Get
}

// why says what the flag wants, by the flag's type.
func (e *setError) why() string {
	if strings.Contains(e.err.Error(), "out of range") {
		return "out of range"
	}
	switch e.kind.(type) {
	case int:
		return "want an integer"
	case uint64, uint:
		return "want an unsigned integer"
	case bool:
		return "want true or false"
	case time.Duration:
		return "want a duration such as 30s, 5m or 1h"
	}
	return e.err.Error()
}

// namedValue wraps a flag's value to learn which flag failed to parse, and
// with what.
type namedValue struct {
	flag.Value
	name   string
	failed **setError
}

func (v *namedValue) Set(s string) error {
	err := v.Value.Set(s)
	if err != nil && *v.failed == nil {
		e := &setError{name: v.name, value: s, err: err}
		if g, ok := v.Value.(flag.Getter); ok {
			e.kind = g.Get()
		}
		*v.failed = e
	}
	return err
}

// IsBoolFlag keeps a boolean flag usable without a value.
func (v *namedValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// flagValue returns the parsed value of a flag of fs.
func flagValue[T any](fs *flag.FlagSet, name string) T {
	return fs.Lookup(name).Value.(flag.Getter).Get().(T)
}

// flagsSet returns the names of the flags given on the command line.
func flagsSet(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// printUsage prints a command's usage text and then its flags to w.
func printUsage(w io.Writer, usage string, fs *flag.FlagSet) {
	io.WriteString(w, usage)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// parseFailed ends a command whose arguments did not parse: the usage on
// -h (status 0), else the one-line error and the hint (status 2).
func parseFailed(stderr io.Writer, name, usage string, fs *flag.FlagSet, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stderr, usage, fs)
		return 0
	}
	return commandFailed(stderr, name, err)
}

// commandFailed prints err as crashcheck NAME's one line and returns exit
// status 2; a usage error adds the line pointing at -h.
func commandFailed(stderr io.Writer, name string, err error) int {
	fmt.Fprintf(stderr, "crashcheck %s: %v\n", name, err)
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "Run 'crashcheck %s -h' for usage.\n", name)
	}
	return 2
}
