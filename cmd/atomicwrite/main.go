// Command atomicwrite reads standard input and replaces FILE with it,
// atomically and durably: sponge(1) done right.
//
//	atomicwrite [-m MODE] [-b SUFFIX] [-a] [-no-sync] FILE
//
// FILE holds either its old content or all of standard input, never a mix
// and never an empty file, whatever crashes meanwhile; when atomicwrite
// exits 0 the new content is on disk. Standard input is streamed into a
// temporary file next to FILE, never held in memory, and FILE is replaced
// only after standard input ends, so a pipeline may read FILE and write it
// back: sed s/a/b/ f | atomicwrite f. An existing FILE keeps its mode and
// owner; a symbolic link is followed and stays a link.
//
// Flags:
//
//	-m MODE    mode of a new FILE, in octal, before the umask (default 0666)
//	-b SUFFIX  keep the previous content at FILE+SUFFIX
//	-a         append standard input to FILE's current content
//	-no-sync   skip the fsyncs: atomic against a crash of the program, not
//	           of the machine
//
// Exit status: 0 on success; 1 on failure, with one line on standard
// error naming FILE and the cause and saying FILE is unchanged (or, if
// only the final directory fsync failed, that the new content is in place
// but not yet durable); 2 on a usage error.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
