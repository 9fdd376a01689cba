package writer

import (
	"errors"
	"io/fs"
	"os"
	"time"
)

// RemoveStale removes from dir the temporary files that replaces
// interrupted by a crash left behind: regular files named like this
// package's temporary files (".<name>.<16 hex digits>.crashcheck-tmp", or
// the pattern given with [WithTempPattern]), last modified more than
// olderThan ago and, on unix, not locked: a replace in progress holds an
// flock on its temporary file for its whole life, however long its input
// is silent, and a file that cannot be opened to try the lock is left
// alone too. Elsewhere only the age tells a live replace's file from a
// dead one's, so olderThan must be longer than any replace takes. Nothing else is touched: other dot files, and files that merely
// look similar, stay. It returns the paths it removed; it does not fsync
// dir (losing a removal to a crash only brings the garbage back).
// [WithFS] and [WithTempPattern] apply; other options are ignored.
func RemoveStale(dir string, olderThan time.Duration, opts ...Option) ([]string, error) {
	c := newConfig(opts)
	stale, err := c.staleTemps(dir, olderThan)
	var removed []string
	errs := []error{err}
	for _, path := range stale {
		if err := c.fsys.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, path)
	}
	return removed, errors.Join(errs...)
}

// StaleTemps returns the paths [RemoveStale] would remove from dir, and
// removes nothing.
func StaleTemps(dir string, olderThan time.Duration, opts ...Option) ([]string, error) {
	c := newConfig(opts)
	return c.staleTemps(dir, olderThan)
}

func (c *config) staleTemps(dir string, olderThan time.Duration) ([]string, error) {
	entries, err := c.fsys.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	cutoff := time.Now().Add(-olderThan)
	sep := string(os.PathSeparator)
	if dir != "" && os.IsPathSeparator(dir[len(dir)-1]) {
		sep = ""
	}
	var stale []string
	var errs []error
	for _, e := range entries {
		if !e.Type().IsRegular() || !c.isTempName(e.Name()) {
			continue
		}
		path := dir + sep + e.Name()
		fi, err := c.fsys.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // renamed or removed meanwhile
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !fi.Mode().IsRegular() || !fi.ModTime().Before(cutoff) || inUse(c.fsys, path) {
			continue
		}
		stale = append(stale, path)
	}
	return stale, errors.Join(errs...)
}
