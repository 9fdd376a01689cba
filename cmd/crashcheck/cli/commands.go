//go:build linux

package cli

import (
	"fmt"
	"io"
)

// command is one of crashcheck's commands: it runs with its arguments
// (after its name) and returns the exit status.
type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands are crashcheck's commands, in the order crashcheck -h lists
// them. Each lives in the file of its name.
var commands = []command{
	{"torture", "run the scenario suite standalone: a seeded, shardable campaign", tortureMain},
	{"replay", "re-run one case of a torture campaign and print its full report", replayMain},
	{"run", "crash-test any program through a FUSE mount", runMain},
}

// Main runs crashcheck with args (without the program's name) and returns
// its exit status; the crashcheck command is os.Exit(Main(os.Args[1:], ...)).
// A program that imports cli also serves crashcheck run's namespace init:
// run re-executes /proc/self/exe, and this package's init takes over that
// child before main runs (see run_nsinit.go), so Main works in-process in
// any binary, a test binary included.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "crashcheck: no command given (want one of "+commandNames()+")")
		fmt.Fprintln(stderr, "Run 'crashcheck -h' for usage.")
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stderr)
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "crashcheck: unknown command %q (want one of %s)\n", args[0], commandNames())
	fmt.Fprintln(stderr, "Run 'crashcheck -h' for usage.")
	return 2
}

// commandNames lists the commands' names: "torture, replay, run".
func commandNames() string {
	s := ""
	for i, c := range commands {
		if i > 0 {
			s += ", "
		}
		s += c.name
	}
	return s
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: crashcheck COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit status: 0 no violation, 1 at least one violation, 2 usage or set-up")
	fmt.Fprintln(w, "error, 130 when torture is interrupted (its report so far is printed).")
	fmt.Fprintln(w, "crashcheck runs on Linux only.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'crashcheck COMMAND -h' for a command's usage and flags.")
}
