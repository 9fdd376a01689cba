// Package crashscript gives testscript scripts a crashcheck command: a
// program's own tests crash-test it, in .txtar files, with the flags of
// crashcheck run.
//
//	func TestScripts(t *testing.T) {
//		testscript.Run(t, testscript.Params{
//			Dir:       "testdata/script",
//			Cmds:      crashscript.Commands(),
//			Condition: crashscript.Condition,
//		})
//	}
//
// and in testdata/script/config.txtar:
//
//	[!crashcheck] skip 'needs root and /dev/fuse'
//	exec mytool init
//	crashcheck run -file config.json -model all -durable -- mytool set name=new
//	! crashcheck run -file config.json -- sh -c 'echo new > config.json'
//
// # The command
//
// crashcheck run [flags] -- COMMAND [ARG...] takes the flags of the
// crashcheck command's run (crashcheck run -h; in a script, `crashcheck
// run -h` prints them to the script's stderr) and runs in-process, in the
// test binary, as [github.com/crashcheck/crashcheck/cmd/crashcheck/cli.Run]: COMMAND runs once on an in-memory filesystem
// mounted through FUSE in a private mount and PID namespace, and every
// state a crash could leave is checked. The script's world is the run's:
//
//   - Relative paths (-dir, -mount, -json, a COMMAND named with a slash)
//     resolve against the script's current directory, which cd changes.
//     -file and -check are relative to -dir, as always.
//   - When the arguments give no -dir, -dir is the script's current
//     directory: the run starts from the tree the script built there
//     (`exec mytool init` above made config.json), copied in; the copy
//     is mounted over that directory's real path in the namespace only,
//     so the script's own files are never touched, whatever COMMAND
//     does. An empty -dir (-dir=) starts from an empty tree, as
//     crashcheck run does; a -mount below the current directory
//     overlaps the default, so give -dir with it.
//   - COMMAND is looked up on the script's $PATH (so commands installed
//     by [github.com/rogpeppe/go-internal/testscript.Main] are found) and runs, as do -start, -check and
//     -recover, with the script's environment, as `exec` would run it
//     (PWD included), not the test process's.
//   - A `stdin FILE` before the command is COMMAND's standard input.
//   - The report (stdout) and progress and errors (stderr) go to the
//     script's log, and are the script's stdout and stderr for the
//     `stdout` and `stderr` commands that follow.
//
// Only run is available: other crashcheck commands fail the script.
//
// # Outcome
//
// crashcheck run's exit status decides:
//
//   - 0, no violation: the command succeeds; with `!`, the script fails.
//   - 1, at least one violation: the script fails, unless `!`.
//   - 2, a usage or set-up error, or something NOT TESTED: the script
//     fails, with `!` too. A `!` asserts a violation, so a run that could
//     not test never passes for one.
//
// # Condition
//
// [Condition] answers [crashcheck]: true where crashcheck run passes its
// set-up checks, the same ones (cli.CanRun): on Linux, as root, with a
// usable /dev/fuse. Scripts start with `[!crashcheck] skip 'why'` so that
// where it is false they are reported as skipped, never as passed.
// Other conditions are an error; a Params.Condition of your own can
// answer yours and hand the rest to Condition.
//
// # Limits
//
// The run needs Linux, root and FUSE: elsewhere the package builds, the
// condition is false and the command fails the script. Each command
// starts the test binary once more, briefly (it reads the script's
// environment and stdin the way `exec` passes them: testscript has no
// other way to give them to a command of Params.Cmds), and runs its
// namespace init from the test binary too (cmd/crashcheck/cli's init
// recognises it), so the binary must import this package, which it does
// by using it. Scripts in parallel run in parallel: the command changes
// no process-wide state.
package crashscript
