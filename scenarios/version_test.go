package scenarios

import (
	"io/fs"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// TestVersion pins how versions compare and print: absent equals absent
// only, content compares bytes, Equal adds the mode, a directory is
// unreadable.
func TestVersion(t *testing.T) {
	m := faultfs.NewMem()
	for _, f := range []struct {
		name string
		data string
		mode uint32
	}{{"a", "hello", 0o644}, {"b", "hello", 0o600}, {"c", "world", 0o644}} {
		if err := faultfs.WriteFile(m, f.name, []byte(f.data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := m.Chmod(f.name, fs.FileMode(f.mode)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Mkdir("d", 0o755); err != nil {
		t.Fatal(err)
	}
	st := m.History().FinalState()
	a, b, c, none, dir := VersionOf(st, "a"), VersionOf(st, "b"), VersionOf(st, "c"), VersionOf(st, "none"), VersionOf(st, "d")
	for _, tc := range []struct {
		name       string
		v, w       Version
		same, eqal bool
	}{
		{"same bytes and mode", a, a, true, true},
		{"same bytes, other mode", a, b, true, false},
		{"other bytes", a, c, false, false},
		{"absent and absent", none, none, true, true},
		{"absent and a file", none, a, false, false},
		{"a directory and itself", dir, dir, true, true},
		{"a directory and a file", dir, a, false, false},
	} {
		if got := tc.v.SameContent(tc.w); got != tc.same {
			t.Errorf("%s: SameContent = %v, want %v", tc.name, got, tc.same)
		}
		if got := tc.v.Equal(tc.w); got != tc.eqal {
			t.Errorf("%s: Equal = %v, want %v", tc.name, got, tc.eqal)
		}
	}
	for _, tc := range []struct {
		v    Version
		want string
	}{
		{a, `5 bytes "hello", mode 0644`},
		{b, `5 bytes "hello", mode 0600`},
		{none, "absent"},
		{dir, "unreadable (EISDIR)"},
	} {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
	if got := a.Diff(c); got != "first differs at byte 0" {
		t.Errorf("Diff = %q", got)
	}
}
