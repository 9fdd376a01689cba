// Package cli is the crashcheck command: torture, replay and run, with
// their flags, reports and exit statuses, as one function, Main.
//
// It is a package of its own so that other programs run crashcheck
// in-process: cmd/crashcheck is os.Exit(cli.Main(...)), and
// scenarios/crashscript gives testscript scripts a crashcheck command. The
// contract is the command line's (cmd/crashcheck's doc and each command's
// -h): flags, exit statuses, report lines and JSON fields. Besides Main,
// Run is crashcheck run with a working directory, environment and
// standard streams of its own (an Invocation) in place of the process's,
// so that runs in several goroutines keep apart, and CanRun is run's
// set-up check (root, /dev/fuse); nothing else is exported.
//
// crashcheck run re-executes the running binary (/proc/self/exe) as the
// init of a private mount and PID namespace. This package's init function
// recognises that child by an environment variable and runs the init in
// place of the program's main, so any binary importing cli, a test binary
// included, serves it without help. Linux only: on other systems the
// package holds no code.
package cli
