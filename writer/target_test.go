package writer

import "testing"

func TestSplitPath(t *testing.T) {
	for _, tc := range []struct{ name, dir, base, sync string }{
		{"f", "", "f", "."},
		{"d/f", "d/", "f", "d"},
		{"/f", "/", "f", "/"},
		{"/a/b/f", "/a/b/", "f", "/a/b"},
		{"a//f", "a//", "f", "a//"},
		{"d/", "d/", "", "d"},
	} {
		dir, base := splitPath(tc.name)
		if dir != tc.dir || base != tc.base || dir+base != tc.name {
			t.Errorf("splitPath(%q) = %q, %q; want %q, %q", tc.name, dir, base, tc.dir, tc.base)
		}
		if got := syncDirName(dir); got != tc.sync {
			t.Errorf("syncDirName(%q) = %q, want %q", dir, got, tc.sync)
		}
	}
}
