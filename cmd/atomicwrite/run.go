package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/writer"
)

// staleAge is how long a temporary file must be untouched before a run
// says it may be stale, and -clean's default. A live run's temporary file
// is also locked (see writer.RemoveStale), so a producer silent for longer
// does not make it look stale on unix.
const staleAge = time.Hour

// run is atomicwrite with its arguments (without the program name) and
// standard streams; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	inv, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stderr, help)
		return 0
	}
	if err != nil {
		return usageFailed(stderr, err)
	}
	if inv.clean != "" {
		return cleanDir(inv.clean, inv.older, stdout, stderr)
	}
	name, opts := inv.name, inv.opts

	if f, ok := stdin.(*os.File); ok {
		if err := stdinProblem(f); err != nil && !(inv.emptyOK && errors.Is(err, errStdinClosed)) {
			fmt.Fprintln(stderr, report(name, err))
			return 1
		}
		if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
			// Not a regular file, so there is no copy offload to keep:
			// read through a reader that remembers its own errors, so
			// that they are not blamed on FILE.
			stdin = &stdinReader{r: f}
		}
	} else {
		stdin = &stdinReader{r: stdin}
	}

	in := watchSignals(name, stderr)
	defer in.stop()
	err = replace(name, 0o666, inv.appendOld, stdin, opts, in)
	status := 0
	if err != nil {
		fmt.Fprintln(stderr, report(name, err))
		status = 1
	}
	if s := in.caught(); s != nil {
		if err == nil {
			fmt.Fprintf(stderr, "atomicwrite: %s: %s arrived while it was being replaced; %s holds the new content\n", qname(name), sigName(s), qname(name))
		}
		status = 128 + sigNum(s)
	}
	noteStale(name, stderr)
	return status
}

// replace streams stdin (after FILE's current content, when appending)
// into a writer.File and commits it.
func replace(name string, perm fs.FileMode, appendOld bool, stdin io.Reader, opts []writer.Option, in *interrupts) error {
	f, err := in.create(name, perm, append(opts, writer.WithBeforeRename(in.beforeRename)))
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
		if rerr := stdinReadError(stdin, err); rerr != nil {
			return &stepError{"reading standard input", rerr}
		}
		return err
	}
	return f.Commit()
}

// stdinReadError returns the error of standard input stdin that made the
// copy fail with err, or nil if the temporary file (the write side) did.
// A reader other than a regular file went through stdinReader, which
// remembers its own errors. A regular file is read without it, to keep the
// copy offload (copy_file_range), whose errors name the temporary file
// whichever side failed: a read of one byte where the copy stopped tells.
// A read error that does not happen again is then blamed on the write side.
func stdinReadError(stdin io.Reader, err error) error {
	if sr, ok := stdin.(*stdinReader); ok {
		return sr.err
	}
	sf, ok := stdin.(*os.File)
	if !ok {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == sf.Name() && pe.Op == "read" {
		return pe.Err
	}
	off, serr := sf.Seek(0, io.SeekCurrent)
	if serr != nil {
		return nil
	}
	var b [1]byte
	if _, rerr := sf.ReadAt(b[:], off); rerr != nil && rerr != io.EOF {
		var pe *fs.PathError
		if errors.As(rerr, &pe) {
			return pe.Err
		}
		return rerr
	}
	return nil
}

// stdinReader remembers the error its reader returned, other than EOF.
type stdinReader struct {
	r   io.Reader
	err error
}

func (s *stdinReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// cleanDir is -clean DIR: remove stale temporary files, print their names.
func cleanDir(dir string, older time.Duration, stdout, stderr io.Writer) int {
	removed, err := writer.RemoveStale(dir, older)
	for _, p := range removed {
		fmt.Fprintln(stdout, qname(p))
	}
	if err != nil {
		fmt.Fprintf(stderr, "atomicwrite: -clean %s: %s\n", qname(dir), errnoText(err))
		return 1
	}
	return 0
}

// noteStale mentions the stale temporary files next to FILE, if any: one
// read of the directory, and an lstat (and, for an old enough one, a lock
// attempt) of each file named like a temporary file.
func noteStale(name string, stderr io.Writer) {
	dir := filepath.Dir(name)
	if real, err := filepath.EvalSymlinks(name); err == nil {
		dir = filepath.Dir(real)
	}
	stale, _ := writer.StaleTemps(dir, staleAge)
	switch len(stale) {
	case 0:
	case 1:
		fmt.Fprintf(stderr, "atomicwrite: note: %s may be a stale temporary file of an interrupted run; atomicwrite -clean %s removes it if so\n", qname(stale[0]), qname(dir))
	default:
		fmt.Fprintf(stderr, "atomicwrite: note: %s holds %d temporary files that may be stale, of interrupted runs; atomicwrite -clean %s removes those that are\n", qname(dir), len(stale), qname(dir))
	}
}

// stepError is a failure of atomicwrite itself, outside the writer.
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
