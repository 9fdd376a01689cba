package writer

import "io/fs"

// WriteFile replaces name with data, atomically: readers see the whole old
// content or the whole new content, never a mix, and a crash leaves one of
// the two. At [Durable] (the default) the new content, mode and owner
// survive a power loss once WriteFile returns nil. perm is the mode of a
// new file, before the umask; an existing file keeps its mode, owner and
// extended attributes (its ACL included, see the package doc).
// On an error that does not match [ErrNotDurable] the target is unchanged
// and no temporary file is left (unless [WithKeepTemp]).
func WriteFile(name string, data []byte, perm fs.FileMode, opts ...Option) error {
	f, err := Create(name, perm, opts...)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}
