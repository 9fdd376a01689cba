package writer

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"testing"
)

// aclBytes encodes entries of (tag, perm) as Linux's posix_acl_access.
func aclBytes(entries ...[2]uint16) []byte {
	b := binary.LittleEndian.AppendUint32(nil, aclVersion)
	for _, e := range entries {
		b = binary.LittleEndian.AppendUint16(b, e[0])
		b = binary.LittleEndian.AppendUint16(b, e[1])
		b = binary.LittleEndian.AppendUint32(b, 0xffffffff)
	}
	return b
}

// TestModeWithoutACL: the rule for a lost ACL. The group bits become the
// owning group's effective permissions (its entry and the mask), never the
// mask alone; a named entry that denies what other grants takes it from
// other; owner and special bits come from the ACL and mode.
func TestModeWithoutACL(t *testing.T) {
	for _, tc := range []struct {
		mode fs.FileMode
		acl  []byte
		want fs.FileMode
	}{
		// The file: user::rw, user:daemon:r, group::---, mask::r, other::---.
		{0o640, aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclUser, 4}, [2]uint16{aclGroupObj, 0}, [2]uint16{aclMask, 4}, [2]uint16{aclOther, 0}), 0o600},
		// The group's entry wider than the mask: the mask limits it.
		{0o644, aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclGroupObj, 7}, [2]uint16{aclGroup, 7}, [2]uint16{aclMask, 4}, [2]uint16{aclOther, 4}), 0o644},
		// Named group with write, group with read: the group keeps read.
		{0o664, aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclGroupObj, 4}, [2]uint16{aclGroup, 6}, [2]uint16{aclMask, 6}, [2]uint16{aclOther, 0}), 0o640},
		// A minimal ACL (no mask): its group entry is the group bits.
		{0o750, aclBytes([2]uint16{aclUserObj, 7}, [2]uint16{aclGroupObj, 5}, [2]uint16{aclOther, 0}), 0o750},
		// Special bits stay.
		{fs.ModeSetgid | 0o750, aclBytes([2]uint16{aclUserObj, 7}, [2]uint16{aclGroupObj, 1}, [2]uint16{aclMask, 5}, [2]uint16{aclOther, 0}), fs.ModeSetgid | 0o710},
		// A named user denied (user:daemon:---) with other::r: daemon
		// could not read the old file (its entry decides, other is never
		// reached), so other loses read, and so does the owning group
		// (daemon may be in it).
		{0o644, aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclUser, 0}, [2]uint16{aclGroupObj, 4}, [2]uint16{aclMask, 4}, [2]uint16{aclOther, 4}), 0o600},
		// A named user's read masked away (user:daemon:r, mask::---).
		{0o604, aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclUser, 4}, [2]uint16{aclGroupObj, 4}, [2]uint16{aclMask, 0}, [2]uint16{aclOther, 4}), 0o600},
		// A named group denied: other loses read, the owning group keeps
		// its own (a member of both matched the owning group's entry).
		{0o644, aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclGroupObj, 4}, [2]uint16{aclGroup, 0}, [2]uint16{aclMask, 4}, [2]uint16{aclOther, 4}), 0o640},
		// Named entries that grant as much as other: other keeps it.
		{0o644, aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclUser, 4}, [2]uint16{aclGroupObj, 4}, [2]uint16{aclGroup, 6}, [2]uint16{aclMask, 6}, [2]uint16{aclOther, 4}), 0o644},
		// Unreadable or malformed: no group or other bits at all.
		{0o664, nil, 0o600},
		{0o664, []byte{2, 0, 0, 0, 1}, 0o600},
		{0o664, aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclOther, 4}), 0o600}, // no group entry
		{0o664, append([]byte{3, 0, 0, 0}, aclBytes([2]uint16{aclUserObj, 6})[4:]...), 0o600},
		{0o664, aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclGroupObj, 4}, [2]uint16{0x40, 4}, [2]uint16{aclOther, 4}), 0o600}, // unknown tag
	} {
		t.Run(fmt.Sprintf("%v_%d_bytes", tc.mode, len(tc.acl)), func(t *testing.T) {
			if got := modeWithoutACL(tc.mode, tc.acl); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestChmodACL: an explicit mode applied to ACL bytes as chmod(2) does.
func TestChmodACL(t *testing.T) {
	in := aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclUser, 6}, [2]uint16{aclGroupObj, 4}, [2]uint16{aclMask, 6}, [2]uint16{aclOther, 4})
	want := aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclUser, 6}, [2]uint16{aclGroupObj, 4}, [2]uint16{aclMask, 0}, [2]uint16{aclOther, 0})
	if got := chmodACL(in, 0o600); string(got) != string(want) {
		t.Errorf("chmodACL(0600) = %x, want %x", got, want)
	}
	minimal := aclBytes([2]uint16{aclUserObj, 6}, [2]uint16{aclGroupObj, 4}, [2]uint16{aclOther, 4})
	want = aclBytes([2]uint16{aclUserObj, 4}, [2]uint16{aclGroupObj, 0}, [2]uint16{aclOther, 0})
	if got := chmodACL(minimal, 0o400); string(got) != string(want) {
		t.Errorf("chmodACL(0400) of a minimal ACL = %x, want %x", got, want)
	}
}
