package writer

import (
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// Every temporary name fits NAME_MAX, starts with a dot, is valid UTF-8
// when the target's name is, and is recognised as ours; no target name
// is mistaken for one of ours.
func TestTempNameProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := rapid.StringMatching(`[^/\x00]{1,255}`).Filter(func(s string) bool {
			return len(s) <= nameMax && s != "." && s != ".."
		}).Draw(t, "base")
		var c config
		if rapid.Bool().Draw(t, "custom") {
			WithTempPattern(rapid.StringMatching(`[a-z.~-]{0,300}`).Draw(t, "prefix"),
				rapid.StringMatching(`[a-z.~-]{0,20}`).Draw(t, "suffix")).apply(&c)
		}
		name := c.tempName(base)
		if len(name) > nameMax {
			t.Fatalf("%d-byte temp name", len(name))
		}
		if !strings.HasPrefix(name, ".") {
			t.Fatalf("temp name %q has no leading dot", name)
		}
		if utf8.ValidString(base) && !utf8.ValidString(name) {
			t.Fatalf("temp name %q cut a UTF-8 sequence", name)
		}
		if strings.ContainsRune(name, '/') {
			t.Fatalf("temp name %q has a separator", name)
		}
		if !c.customPattern || len(c.tempPrefix)+randDigits+len(c.tempSuffix) < nameMax-1 {
			if !c.isTempName(name) {
				t.Fatalf("temp name %q not recognised", name)
			}
		}
		if !c.customPattern && c.isTempName(base) && !strings.HasSuffix(base, tempSuffix) {
			t.Fatalf("target name %q taken for a temp name", base)
		}
		if c.tempName(base) == name {
			t.Fatalf("two temp names for %q are equal", base)
		}
	})
}
