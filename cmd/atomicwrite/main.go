// Command atomicwrite reads standard input and replaces FILE with it,
// atomically and durably: sponge(1) done right.
//
//	atomicwrite [-m MODE] [-b SUFFIX] [-a] [-no-sync] [-allow-xattr-loss] [-allow-owner-loss] [-empty-ok] FILE
//	atomicwrite -clean DIR [-older DURATION]
//
// FILE holds either its old content or all of standard input, never a mix
// and never an empty file, whatever crashes meanwhile; when atomicwrite
// exits 0 the new content is on disk. Standard input is streamed into a
// temporary file next to FILE, never held in memory, and FILE is replaced
// only after standard input ends, so a pipeline may read FILE and write it
// back: sed s/a/b/ f | atomicwrite f. An existing FILE keeps its mode,
// owner, POSIX ACL and extended attributes (an attribute that cannot be
// kept is an error unless -allow-xattr-loss, an owner or group that cannot
// be kept one unless -allow-owner-loss); -m MODE sets the mode
// exactly, new file or not. A symbolic link is followed and stays a link;
// -b puts the backup next to the file it points to. Hard links and
// timestamps are not kept.
//
// A closed standard input is refused (see -h for the rule), SIGINT,
// SIGTERM and SIGHUP remove the temporary file and exit 128+signal, and
// -clean DIR removes the temporary files of killed runs. atomicwrite -h
// prints the flags and these rules in full, on standard error; a usage
// error prints one line naming what was wrong and "Run 'atomicwrite -h'
// for usage." (crashcheck's convention).
//
// Exit status: 0 on success; 1 on failure, with one line on standard
// error naming FILE and the cause and saying FILE is unchanged (or, if
// only the final directory fsync failed, that the new content is in place
// but not yet durable); 2 on a usage error; 128+N after signal N.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
