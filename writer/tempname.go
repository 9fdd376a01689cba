package writer

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// Temporary files are named "." + the target's name + "." + 16 random hex
// digits + tempSuffix, or, with WithTempPattern, prefix + 16 hex digits +
// suffix. The leading dot hides them from ls and globs; the suffix and the
// fixed-width random part are what RemoveStale recognises.
const (
	tempSuffix = ".crashcheck-tmp"
	randDigits = 16
	// nameMax is NAME_MAX on Linux, darwin and Windows (in UTF-16 units
	// there, which a byte count bounds).
	nameMax = 255
)

// tempName returns a fresh temporary file name (no directory) for a target
// whose last element is base.
func (c *config) tempName(base string) string {
	prefix, suffix := "."+base+".", tempSuffix
	if c.customPattern {
		prefix, suffix = c.tempPrefix, c.tempSuffix
		if !strings.HasPrefix(prefix, ".") {
			prefix = "." + prefix
		}
	}
	if over := len(prefix) + randDigits + len(suffix) - nameMax; over > 0 {
		prefix = shorten(prefix, len(prefix)-over)
	}
	var b strings.Builder
	b.Grow(len(prefix) + randDigits + len(suffix))
	b.WriteString(prefix)
	const hex = "0123456789abcdef"
	r := rand.Uint64()
	for i := 60; i >= 0; i -= 4 {
		b.WriteByte(hex[(r>>uint(i))&0xf])
	}
	b.WriteString(suffix)
	return b.String()
}

// shorten cuts s to at most n bytes without splitting a UTF-8 sequence,
// keeping its last byte when that is a dot (the separator before the
// random digits).
func shorten(s string, n int) string {
	if n <= 1 {
		return "."
	}
	sep := ""
	if strings.HasSuffix(s, ".") {
		sep, n = ".", n-1
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + sep
}

// isTempName reports whether name (no directory) is a temporary file of
// this package: the default pattern, or prefix+hex+suffix when custom.
func (c *config) isTempName(name string) bool {
	prefix, suffix := ".", tempSuffix
	if c.customPattern {
		prefix, suffix = c.tempPrefix, c.tempSuffix
		if !strings.HasPrefix(prefix, ".") {
			prefix = "." + prefix
		}
	}
	if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) ||
		len(name) < len(prefix)+randDigits+len(suffix) {
		return false
	}
	digits := name[len(name)-len(suffix)-randDigits : len(name)-len(suffix)]
	for i := 0; i < len(digits); i++ {
		if !('0' <= digits[i] && digits[i] <= '9' || 'a' <= digits[i] && digits[i] <= 'f') {
			return false
		}
	}
	if !c.customPattern {
		// ".<name>.<hex>.crashcheck-tmp": a dot before the digits.
		return len(name) >= 2+randDigits+len(suffix) && name[len(name)-len(suffix)-randDigits-1] == '.'
	}
	return true
}
