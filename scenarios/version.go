package scenarios

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/crashcheck/crashcheck/faultfs"
)

// Version is what a path holds in one state: nothing (Exists false), a
// regular file's content and mode, or, when Err is set, something that
// cannot be read as a file (a directory, or a path through a non-directory).
// Invariants get versions from [Situation.Before], [Situation.After] and
// [Situation.Current], and compare them with [Version.SameContent] and
// [Version.Equal].
type Version struct {
	Exists  bool
	Content faultfs.Content
	Mode    fs.FileMode
	Err     error // set when the path exists but is no readable regular file
}

// VersionOf returns what st holds at path.
func VersionOf(st *faultfs.CrashState, path string) Version {
	c, mode, err := st.File(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Version{}
	}
	if err != nil {
		return Version{Exists: true, Err: err}
	}
	return Version{Exists: true, Content: c, Mode: mode}
}

// SameContent reports whether v and w hold the same thing, modes aside:
// both absent, the same bytes, or both unreadable for the same reason.
func (v Version) SameContent(w Version) bool {
	switch {
	case v.Exists != w.Exists:
		return false
	case !v.Exists:
		return true
	case v.Err != nil || w.Err != nil:
		return v.Err != nil && w.Err != nil && faultfs.ErrString(v.Err) == faultfs.ErrString(w.Err)
	}
	return v.Content.Equal(w.Content)
}

// Equal reports whether v and w hold the same content with the same mode.
func (v Version) Equal(w Version) bool { return v.SameContent(w) && v.Mode == w.Mode }

// String describes the version for a person: "absent", its size, first
// bytes and mode in octal (12 bytes "new content\n", mode 0644), or why
// it is unreadable.
func (v Version) String() string {
	switch {
	case !v.Exists:
		return "absent"
	case v.Err != nil:
		return "unreadable (" + faultfs.ErrString(v.Err) + ")"
	}
	return describeBytes(v.Content.Prefix(prefixShown), v.Content.Len()) + ", mode " + Octal(v.Mode)
}

// Diff says, for a report, where v's content first differs from w's
// ("first differs at byte 3", "same first 4 bytes, sizes differ"); "" when
// either has no content to compare.
func (v Version) Diff(w Version) string {
	if !v.Exists || !w.Exists || v.Err != nil || w.Err != nil {
		return ""
	}
	g, x := v.Content.Bytes(), w.Content.Bytes()
	n := min(len(g), len(x))
	for i := 0; i < n; i++ {
		if g[i] != x[i] {
			return fmt.Sprintf("first differs at byte %d", i)
		}
	}
	if len(g) != len(x) {
		return fmt.Sprintf("same first %d bytes, sizes differ", n)
	}
	return "same bytes"
}
