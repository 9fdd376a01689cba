// Package analyzer is crashvet's analyzer, in the golang.org/x/tools/go/analysis
// style, so that linters (golangci-lint's plugin loader, gopls, a
// multichecker of your own) can load [Analyzer]; cmd/crashvet runs it on
// its own and as go vet -vettool.
//
// It reports the file-saving mistakes that crashcheck's zoo of broken
// writers (scenarios/suite/zoo_*.go) shows a crash turns into lost or torn
// data. It prefers silence to a false report: each rule looks at one
// function declaration at a time (function literals inside it count as
// part of it), follows a file only through a variable the function
// assigns it to, and keeps quiet as soon as the code does something it
// does not follow. Test files (_test.go) are not checked.
//
// # What it reports
//
// The save pattern is a function that creates a file for writing — os.Create,
// os.OpenFile with a constant flag that has O_WRONLY or O_RDWR and
// O_CREATE or O_TRUNC, os.CreateTemp, faultfs.CreateTemp, or a Create or
// OpenFile method of any type that returns a file (a value with a Sync()
// error method: *os.File, faultfs.File) — into a variable f, writes to it
// (f.Write, f.WriteString, f.WriteAt, f.ReadFrom, or f passed as an
// interface parameter with a Write method and no Sync method: io.Copy,
// fmt.Fprintf, bufio.NewWriter, json.NewEncoder...), and renames it
// (os.Rename, faultfs.RenameNoReplace, any Rename(string, string) method:
// an FS's, an os.Root's) by f.Name(), by a variable set to f.Name(), or by
// the same path expression it was created at (see below). On it (the zoo
// recipes named have the same shape; those of them written across helper
// functions, as rename-no-fsync and no-dir-fsync are, are not reported):
//
//   - rename-nosync: f is never synced in the function (no f.Sync(),
//     f.Datasync(), nor any call with "sync" in its name taking f). After
//     a power loss the new name can hold an empty or partial file
//     (zoo: python-recipe, tmpdir-copy, rename-no-fsync).
//   - sync-after-rename: every sync of f comes after the rename (later in
//     the source, or deferred), and neither is in a loop (zoo:
//     fsync-after-rename).
//   - rename-nodirsync: nothing after the rename (later in the source, or
//     deferred) can sync the directory: no call with "sync" in its name
//     other than of f itself, no call of a function of the same package,
//     no call of a func value. After a power loss the rename itself can
//     be undone (zoo: no-dir-fsync).
//
// And, on any code:
//
//   - in-place: os.WriteFile, faultfs.WriteFile, or a truncating create
//     (os.Create, OpenFile with O_TRUNC, an FS's Create) whose file is not
//     renamed in the function, of a path that the package also reads a
//     file by (os.ReadFile, os.Open, read-only os.OpenFile, fs.ReadFile,
//     faultfs.ReadFile, an Open or ReadFile method), where the path is
//     persistent: built only from string constants, package-level
//     variables and fields (a Store's s.path written in Save and read in
//     Load). The write truncates first, so a crash leaves the file the
//     package depends on empty or partial (zoo: truncate-in-place). The
//     suggested fix replaces os.WriteFile with
//     github.com/crashcheck/crashcheck/writer.WriteFile (same arguments),
//     adding the import, where that compiles.
//   - sync-retried: a Sync (or Datasync) of a file that runs again on the
//     same file after failing: in a loop the file is declared outside,
//     in which the file is only synced and which ends when the Sync
//     succeeds (if ...; err == nil { break or return }, or a loop
//     condition err != nil); or in the body of an if statement on a
//     failed Sync of it (if err := f.Sync(); err != nil { ... f.Sync() }).
//     After a failed fsync Linux may have dropped the data and cleared the
//     error, so the retry's success proves nothing (fsyncgate; zoo:
//     fsync-retried). A loop or if statement that names EINTR or EAGAIN
//     is not reported: retrying an interrupted fsync is correct.
//
// Two expressions are the same path when they are equal string
// constants, the same variable, the same field of values of the same
// type, or the same binary expression or call of a path, path/filepath,
// strings or fmt function built from those (name+".tmp",
// filepath.Join(dir, "a.json")). A variable reassigned between two uses
// is still taken as the same path.
//
// # What it does not report
//
//   - anything across functions: a file created in one function and
//     synced, renamed or written in another (writer's own structure), or
//     a helper that renames what its caller wrote;
//   - a file that escapes: passed to a function as a concrete type or an
//     interface with Sync, stored, returned, reassigned, its Fd taken, or
//     created twice into the same variable;
//   - in-place writes of a path held in a local variable or parameter (a
//     read-modify-write of a path the rule cannot name), and of paths
//     under /proc, /sys and /dev, where writing in place is the only way;
//   - O_APPEND writes, rewrites without truncation (the r+ recipe), a
//     Remove before a rename, a Chmod after the rename, an ignored error
//     from Write or Close: the zoo has them, but no rule here is precise
//     enough for them;
//   - a rename in a defer, and code in _test.go files.
//
// The fixes it names are in the messages; the only mechanical one, with
// TextEdits, is in-place's writer.WriteFile.
package analyzer
