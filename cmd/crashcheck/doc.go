// Command crashcheck crash-tests code that writes files.
//
//	crashcheck torture [flags]            standalone runs of the scenario suite
//	crashcheck replay -scenario NAME ...  reproduce one reported failure
//	crashcheck run [flags] -- COMMAND     crash-test any program through FUSE
//
// crashcheck runs on Linux only: run mounts its filesystem with FUSE, and
// torture and replay share the command with it. Built for another system,
// it prints that it runs on Linux only and exits 2. The packages it
// drives (faultfs, scenarios, writer) build and run everywhere.
//
// Every command follows one convention: -h prints its usage once, on
// stderr, and exits 0; a usage error prints one line naming the flag at
// fault ("crashcheck torture: bad -runs 0: want at least 1") and a line
// pointing at -h, and exits 2 before any work. -model takes the same
// values everywhere: a model's name, a comma-separated list, or all.
//
// Exit status: 0 no violation, 1 at least one violation, 2 usage or set-up
// error, 128+N when torture is stopped by signal N (130 for SIGINT) after
// printing what it found so far.
package main
