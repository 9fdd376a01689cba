//go:build linux

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs/blockdev"
)

// The -fs flags' usage errors: one line naming the flag, exit status 2.
func TestRunFSUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--settle", "1s", "--", "true"}, "bad -settle 1s: needs -fs"},
		{[]string{"--mount-opts", "commit=1", "--", "true"}, "bad -mount-opts commit=1: needs -fs"},
		{[]string{"--mkfs-opts", "-b 1024", "--", "true"}, `bad -mkfs-opts "-b 1024": needs -fs`},
		{[]string{"--fs", "zfs", "--", "true"}, "bad -fs zfs: want one of ext4, xfs, btrfs"},
		{[]string{"--fs", "ext4", "--mount", dir, "--", "true"}, "not supported with -fs"},
		{[]string{"--fs", "ext4", "--recover", "true", "--", "true"}, "not supported with -fs"},
		{[]string{"--fs", "ext4", "--window-states", "0", "--", "true"}, "bad -window-states 0: want at least 1"},
		{[]string{"--fs", "ext4", "--window-states", "-3", "--", "true"}, "bad -window-states -3: want at least 1"},
		{[]string{"--window-states", "8", "--", "true"}, "bad -window-states 8: needs -fs"},
		{[]string{"--settle", "-1s", "--fs", "ext4", "--", "true"}, "bad -settle -1s: want a duration of 0 or more"},
		{[]string{"--fs", "ext4", "--model", "posix", "--", "true"}, "bad -model posix: not supported with -fs"},
		{[]string{"--fs", "ext4", "--max-states", "9", "--", "true"}, "bad -max-states 9: not supported with -fs"},
		{[]string{"--fs", "ext4", "--", "true"}, "nothing to check: give -file, -check or -recover"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(append([]string{"run"}, tc.args...), strings.NewReader(""), &out, &errb)
			if code != 2 || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), tc.want)
			}
		})
	}
}

// On real ext4 mounted with noauto_da_alloc, a replace by rename without
// fsync can leave the file empty once the journal has committed the
// rename (commit=1) and before writeback; a durable replace cannot.
func TestRunFSExt4(t *testing.T) {
	if err := blockdev.Available(); err != nil {
		t.Skipf("kernel filesystems cannot be recorded here: %v", err)
	}
	if err := blockdev.Filesystems["ext4"].Available(); err != nil {
		t.Skip(err)
	}
	dir, tmp := t.TempDir(), t.TempDir()
	// The recording's mount points go under tmp, so that a mount left
	// behind by this test (not by another one) can be told.
	t.Setenv("TMPDIR", tmp)
	if err := os.WriteFile(filepath.Join(dir, "data.txt"), []byte("old content\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, script string
		extra        []string // more flags
		code         int
		want         []string
	}{
		{"rename-no-fsync", `printf 'new content\n' > data.txt.tmp && mv data.txt.tmp data.txt`, nil, 1,
			[]string{"VIOLATION AtomicReplace(data.txt) after a crash at point ", "under kernel ext4\n",
				`  data.txt holds 0 bytes "", mode 0644: neither the old content (12 bytes "old content\n", mode 0644; same first 0 bytes, sizes differ) nor the new (12 bytes "new content\n", mode 0644; same first 0 bytes, sizes differ)`,
				"  state: writes 1-", "VIOLATION Durable(data.txt)", "states break it; this one keeps the fewest writes)",
				"; COMMAND exited 0; 2 violation(s)\n"}},
		{"durable-replace", `printf 'new content\n' > data.txt.tmp && sync data.txt.tmp && mv data.txt.tmp data.txt && sync .`, nil, 0,
			[]string{"states (exhaustive)", "; COMMAND exited 0; no violation\n"}},
		// a -file in no state is NOT TESTED (exit 2), as in the in-memory run
		{"absent-file", `printf 'new content\n' > data.txt.tmp && sync data.txt.tmp && mv data.txt.tmp data.txt && sync .`, []string{"--file", "nothere"}, 2,
			[]string{"; no violation; 2 NOT TESTED (below)\n", "NOT TESTED: AtomicReplace(nothere): nothere exists in no state"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := []string{"run", "--fs", "ext4", "--mount-opts", "noauto_da_alloc,commit=1", "--settle", "2s",
				"--dir", dir, "--file", "data.txt", "--durable"}
			args = append(append(args, tc.extra...), "--", "sh", "-c", tc.script)
			code := Main(args, strings.NewReader(""), &out, &errb)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out.String(), errb.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, out.String())
				}
			}
			if b, _ := os.ReadFile("/proc/mounts"); bytes.Contains(b, []byte(tmp)) {
				t.Errorf("a mount under %s was left behind:\n%s", tmp, b)
			}
		})
	}
}
