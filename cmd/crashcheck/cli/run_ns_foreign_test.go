//go:build linux

package cli

import (
	"slices"
	"testing"
)

func TestInheritedTestMounts(t *testing.T) {
	info := `22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
35 22 0:30 / /tmp/a rw,nosuid,nodev,relatime shared:20 - fuse.crashcheck crashcheck rw,user_id=0,group_id=0,allow_other
36 35 0:31 / /tmp/a/in\040side rw,nosuid,nodev,relatime shared:21 - fuse.crashcheck crashcheck rw,user_id=0,group_id=0
37 22 0:32 / /mnt/ssh rw,nosuid,nodev,relatime shared:22 - fuse.sshfs host:/ rw,user_id=0,group_id=0
38 22 0:33 / /proc rw,nosuid,nodev,noexec,relatime shared:23 - proc proc rw
`
	got := inheritedTestMounts(info)
	want := []string{"/tmp/a/in side", "/tmp/a"}
	if !slices.Equal(got, want) {
		t.Errorf("inheritedTestMounts = %q, want %q (crashcheck mounts only, deepest first, unescaped)", got, want)
	}
	if got := inheritedTestMounts(""); len(got) != 0 {
		t.Errorf("inheritedTestMounts of nothing = %q", got)
	}
}
