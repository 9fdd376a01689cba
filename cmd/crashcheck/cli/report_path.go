//go:build linux

package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// checkReportPath checks, before any work, that a report can be written at
// path (the value of -flag): that path is a regular file or absent, and
// that its directory exists and takes a new file. Nothing is left behind:
// the probe is an unnamed O_TMPFILE where the filesystem has it, else a
// file removed at once.
func checkReportPath(flag, path string) error {
	bad := func(why string) error { return badFlag(flag, path, "cannot be created: "+why) }
	fi, err := os.Stat(path)
	switch {
	case err == nil && !fi.Mode().IsRegular():
		return bad(fmt.Sprintf("it is a %s, not a regular file", describeMode(fi.Mode())))
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return bad(errText(err))
	}
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return bad("directory " + dir + " does not exist")
	case err != nil:
		return bad(errText(err))
	case !di.IsDir():
		return bad(dir + " is not a directory")
	}
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err == nil {
		unix.Close(fd)
		return nil
	}
	if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EINVAL) {
		return bad(fmt.Sprintf("%s takes no new file (%v)", dir, err))
	}
	f, err := os.CreateTemp(dir, ".crashcheck-probe-*")
	if err != nil {
		return bad(fmt.Sprintf("%s takes no new file (%v)", dir, errnoText(err)))
	}
	f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return fmt.Errorf("-%s: probing %s: %w (the probe file %s is left behind)", flag, dir, err, f.Name())
	}
	return nil
}

// errText is err's cause without the path a *fs.PathError repeats.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + " " + pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}

// errnoText is the cause of err alone.
func errnoText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// describeMode names a file type for a message. The writer package names
// file types too (writer/target.go's kindOf, for its ErrNotRegular
// messages) but exports nothing: this is the command's own wording.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
