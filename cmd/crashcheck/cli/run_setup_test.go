//go:build linux

package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestRunSetupErrors: without root, or without FUSE, crashcheck run exits
// 2 with one line saying why, before it mounts or runs anything.
func TestRunSetupErrors(t *testing.T) {
	tests := []struct {
		name    string
		euid    int
		fuseErr error
		want    string
	}{
		{"not root", 1000, nil, "crashcheck run: not root: mounting the test filesystem with FUSE needs root\n"},
		{"no fuse", 0, errors.New("FUSE unavailable: open /dev/fuse: no such file or directory"),
			"crashcheck run: FUSE unavailable: open /dev/fuse: no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oldEuid, oldFuse := geteuid, fuseAvailable
			t.Cleanup(func() { geteuid, fuseAvailable = oldEuid, oldFuse })
			geteuid = func() int { return tt.euid }
			fuseAvailable = func() error { return tt.fuseErr }
			var stdout, stderr bytes.Buffer
			code := Main([]string{"run", "--file", "f", "--", "true"}, strings.NewReader(""), &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stderr.String() != tt.want {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}
