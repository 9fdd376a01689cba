package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strconv"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/writer"
)

const usage = "usage: atomicwrite [-m MODE] [-b SUFFIX] [-a] [-no-sync] FILE"

// run is atomicwrite with its arguments (without the program name) and
// standard streams; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("atomicwrite", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	modeFlag := fset.String("m", "0666", "mode of a new `FILE`, octal, before the umask")
	backup := fset.String("b", "", "keep the previous content at FILE+`SUFFIX`")
	appendFlag := fset.Bool("a", false, "append standard input to FILE's current content")
	noSync := fset.Bool("no-sync", false, "skip the fsyncs (atomic against a program crash only)")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fset.SetOutput(stdout)
			fmt.Fprintln(stdout, usage)
			fset.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "atomicwrite: %v\n%s\n", err, usage)
		return 2
	}
	if fset.NArg() != 1 || fset.Arg(0) == "" {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	name := fset.Arg(0)
	perm, err := parseMode(*modeFlag)
	if err != nil {
		fmt.Fprintf(stderr, "atomicwrite: -m %s: %v\n%s\n", *modeFlag, err, usage)
		return 2
	}
	fset.Visit(func(f *flag.Flag) {
		if f.Name == "b" && *backup == "" {
			err = errors.New("-b needs a non-empty SUFFIX")
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "atomicwrite: %v\n%s\n", err, usage)
		return 2
	}

	var opts []writer.Option
	if *backup != "" {
		opts = append(opts, writer.WithBackup(*backup))
	}
	if *noSync {
		opts = append(opts, writer.WithDurability(writer.NoSync))
	}
	if err := replace(name, perm, *appendFlag, stdin, opts); err != nil {
		fmt.Fprintln(stderr, report(name, err))
		return 1
	}
	return 0
}

// replace streams stdin (after FILE's current content, when appending)
// into a writer.File and commits it.
func replace(name string, perm fs.FileMode, appendOld bool, stdin io.Reader, opts []writer.Option) error {
	f, err := writer.Create(name, perm, opts...)
	if err != nil {
		return err
	}
	defer f.Close()
	if appendOld {
		old, err := faultfs.OS{}.Open(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// Nothing to append to.
		case err != nil:
			return &stepError{"read current content", err}
		default:
			_, err := f.ReadFrom(old)
			old.Close()
			if err != nil {
				return err
			}
		}
	}
	if _, err := f.ReadFrom(stdin); err != nil {
		return err
	}
	return f.Commit()
}

// stepError is a failure of atomicwrite itself, before the writer began.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// parseMode parses an octal mode of at most 0o7777.
func parseMode(s string) (fs.FileMode, error) {
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o7777 {
		return 0, errors.New("not an octal mode between 0 and 7777")
	}
	m := fs.FileMode(n) & fs.ModePerm
	if n&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if n&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if n&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m, nil
}
