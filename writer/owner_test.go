package writer

import (
	"fmt"
	"io/fs"
	"testing"
)

// TestModeAfterOwnerLoss: the rule for the mode of a new file that lacks
// the target's owner or group never grants a class more than everyone who
// may now fall into it had.
func TestModeAfterOwnerLoss(t *testing.T) {
	for _, tc := range []struct {
		mode         fs.FileMode
		owner, group bool
		acl          bool
		want         fs.FileMode
	}{
		{0o640, false, false, false, 0o640},
		{0o640, true, true, false, 0o600},
		{0o644, true, true, false, 0o644},
		{0o664, true, true, false, 0o644},
		{0o604, false, true, false, 0o600}, // the old group was denied what other had
		{0o660, false, true, false, 0o600},
		{0o640, true, false, false, 0o640}, // the group was kept
		{0o044, true, false, false, 0o000}, // the old owner was denied
		{0o444, true, false, false, 0o444},
		{fs.ModeSetuid | fs.ModeSetgid | 0o755, true, false, false, fs.ModeSetgid | 0o755},
		{fs.ModeSetuid | fs.ModeSetgid | 0o755, false, true, false, fs.ModeSetuid | 0o755},
		{fs.ModeSticky | 0o755, true, true, false, fs.ModeSticky | 0o755},
		{0o644, true, true, true, 0o600},   // the kept ACL's entries now name others
		{0o644, false, false, true, 0o644}, // nothing lost
	} {
		t.Run(fmt.Sprintf("%v/owner=%v/group=%v/acl=%v", tc.mode, tc.owner, tc.group, tc.acl), func(t *testing.T) {
			if got := modeAfterOwnerLoss(tc.mode, ownerLoss{tc.owner, tc.group}, tc.acl); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
