package main

const usage = "usage: atomicwrite [-m MODE] [-b SUFFIX] [-a] [-no-sync] [-allow-xattr-loss] [-allow-owner-loss] [-empty-ok] FILE\n" +
	"       atomicwrite -clean DIR [-older DURATION]"

// help is what -h prints: the usage, the flags and the rules a person
// needs before trusting the command with a file.
const help = usage + `

Reads standard input to its end, then replaces FILE with it atomically and
durably: FILE holds its whole old content or all of standard input, never a
mix, whatever crashes; on exit 0 the new content is on disk.

  -m MODE     FILE gets exactly MODE (octal, e.g. 0600), whether FILE is new
              or existing; the umask does not apply. Without -m an existing
              FILE keeps its mode and a new one gets 0666 less the umask.
  -b SUFFIX   keep the previous content at FILE+SUFFIX (replaced atomically).
              If FILE is a symbolic link, the backup is made next to the
              file the link points to: its path plus SUFFIX.
  -a          append standard input to FILE's current content
  -no-sync    skip the fsyncs: atomic against a crash of the program, not
              of the machine
  -allow-xattr-loss
              replace FILE even if some of its ACL or extended attributes
              cannot be kept (by default that is an error and FILE is
              unchanged); on Linux a lost ACL never widens access: named
              users and groups lose their entries, the group bits become
              the owning group's own entry (not the ACL mask), and no
              group or other bit grants what a named entry denied
  -allow-owner-loss
              replace FILE even if the new file cannot get its owner and
              group (another user's file in a directory you may write; by
              default that is an error and FILE is unchanged): the new file
              is yours, setuid/setgid are cleared with the owner/group lost,
              and its mode never widens access: if the group changed, group
              and other bits both become what both had (0640 becomes 0600,
              0644 stays 0644); neither grants more than the owner bits did
  -empty-ok   accept /dev/null opened read-write as standard input (empty
              input, emptying FILE); without it that is refused, since it
              is what a closed standard input looks like
  -clean DIR  remove the temporary files that killed runs left in DIR
              (.NAME.<16 hex>.crashcheck-tmp, untouched for -older and not
              locked by a running atomicwrite), only those, and print
              their names
  -older DURATION
              with -clean: how long a temporary file must be untouched to
              count as stale (default 1h)

What is kept: an existing FILE keeps its mode, its owner and group (one
the process may not set is an error unless -allow-owner-loss), its POSIX
ACL and its extended attributes (user.*, security.*, trusted.* as root);
they are set on the new file before it replaces FILE, as they are when
standard input ends (a chmod or setfacl made meanwhile is kept). security.ima and security.evm are not
copied (they hash the old content). Not kept: other hard links to FILE
(they keep the old content) and timestamps; on systems other than Linux,
ACLs and extended attributes (and a lost ACL is not detected there). A
symbolic link is followed and stays a link.

Standard input: read to its end before FILE is touched, so
"sed s/a/b/ f | atomicwrite f" works. A closed standard input ("<&-",
which Go turns into /dev/null opened read-write) is refused, and so is
any /dev/null opened read-write ("<>/dev/null", Python's
subprocess.DEVNULL) unless -empty-ok; a directory, and a standard input
open for writing only ("0>file"), are refused too. "</dev/null"
(read-only) is empty input and empties FILE. An error reading standard
input is reported as "reading standard input: ...", never as FILE's.

Signals: SIGINT, SIGTERM or SIGHUP until the new content is complete and
on disk (the fsync included) removes the temporary file, leaves FILE
unchanged and exits 128+signal, even if standard input ended at the same
moment (Ctrl-C in "sed ... f | atomicwrite f" kills sed too: its partial
output is never committed); one that arrives once FILE is being renamed
into place waits for that to finish, then exits 128+signal.
After SIGKILL, "atomicwrite -clean DIR" removes what was left, and later
runs mention stale temporary files they see next to FILE.

Exit status: 0 on success; 1 on failure, with one line on standard error
naming FILE and the cause and saying FILE is unchanged (or, if only the
final directory fsync failed, that the new content is in place but not
yet durable); 2 on a usage error; 128+N after signal N.
`
