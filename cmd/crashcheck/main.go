// Command crashcheck crash-tests code that writes files.
//
//	crashcheck torture [flags]            standalone runs of the scenario suite
//	crashcheck replay -scenario NAME ...  reproduce one reported failure
//	crashcheck run [flags] -- COMMAND     crash-test any program through FUSE
//
// Exit status: 0 no violation, 1 at least one violation, 2 usage or set-up
// error.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// A subcommand runs with its arguments (after its name) and returns the exit
// status. Each lives in its own file and registers itself in init.
type subcommand struct {
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

var subcommands = map[string]subcommand{}

func register(name, summary string, run func([]string, io.Reader, io.Writer, io.Writer) int) {
	subcommands[name] = subcommand{summary: summary, run: run}
}

func main() {
	os.Exit(crashcheck(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func crashcheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "crashcheck: unknown command %q (want one of %s)\n", args[0], names())
		return 2
	}
	return sub.run(args[1:], stdin, stdout, stderr)
}

func names() string {
	var ns []string
	for n := range subcommands {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	s := ""
	for i, n := range ns {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: crashcheck COMMAND [flags]")
	fmt.Fprintln(w)
	var ns []string
	for n := range subcommands {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	for _, n := range ns {
		fmt.Fprintf(w, "  %-8s %s\n", n, subcommands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'crashcheck COMMAND -h' for a command's flags.")
}
