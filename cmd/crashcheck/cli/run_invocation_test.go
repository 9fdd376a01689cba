//go:build linux

package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestInvocationLookPath: COMMAND is found in the Invocation's directory
// and on its PATH, never the process's, with exec.LookPath's rules.
func TestInvocationLookPath(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"bin", "other", "work/sub", "work/rel", "work/tool.d"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct {
		name string
		mode os.FileMode
	}{
		{"bin/tool", 0o755}, {"other/tool", 0o755}, {"other/plain", 0o644}, {"bin/plain", 0o755},
		{"work/sub/script", 0o755}, {"work/rel/reltool", 0o755}, {"work/here", 0o755},
	} {
		if err := os.WriteFile(filepath.Join(dir, f.name), []byte("#!/bin/sh\n"), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	bin, other, work := filepath.Join(dir, "bin"), filepath.Join(dir, "other"), filepath.Join(dir, "work")
	tests := []struct {
		name    string
		path    string // the Invocation's PATH
		command string
		want    string // the path found, or "" with wantErr
		wantErr error
	}{
		{"on PATH", bin, "tool", bin + "/tool", nil},
		{"first PATH entry wins", other + ":" + bin, "tool", other + "/tool", nil},
		{"entry without execute bit skipped", other + ":" + bin, "plain", bin + "/plain", nil},
		{"not on PATH", other, "nosuch", "", exec.ErrNotFound},
		{"a directory is not a command", work, "tool.d", "", exec.ErrNotFound},
		{"relative PATH entry refused", "rel", "reltool", "", exec.ErrDot},
		{"empty PATH entry refused", ":" + bin, "here", "", exec.ErrDot},
		{"relative name resolves against Dir", "", "sub/script", work + "/sub/script", nil},
		{"dot-slash name resolves against Dir", "", "./here", work + "/here", nil},
		{"absolute name as is", "", bin + "/tool", bin + "/tool", nil},
		{"relative name missing", bin, "./tool", "", os.ErrNotExist},
		{"relative name not executable", "", "../other/plain", "", os.ErrPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := Invocation{Dir: work, Env: []string{"PATH=/nowhere", "PATH=" + tt.path}}
			got, err := inv.lookPath(tt.command)
			if tt.wantErr != nil {
				var ee *exec.Error
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &ee) || ee.Name != tt.command {
					t.Fatalf("lookPath(%q) = %q, %v; want an *exec.Error naming it, of %v", tt.command, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("lookPath(%q) = %q, %v; want %q", tt.command, got, err, tt.want)
			}
		})
	}
}

// TestRunInvocationPaths: relative -dir and -json resolve against
// Invocation.Dir (checked before anything mounts), messages quote them as
// given, and DefaultDir takes -dir's place in the usage.
func TestRunInvocationPaths(t *testing.T) {
	work := t.TempDir()
	if err := os.Mkdir(filepath.Join(work, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // on stderr
	}{
		{"dir missing in Dir", []string{"-dir", "nowhere", "-file", "f", "--", "true"}, "crashcheck run: bad -dir nowhere: stat " + work + "/nowhere: no such file or directory\n"},
		{"json dir missing in Dir", []string{"-dir", "d", "-json", "no/r.json", "-file", "f", "--", "true"}, "crashcheck run: bad -json " + work + "/no/r.json: cannot be created: directory " + work + "/no does not exist\n"},
		{"command missing in Dir", []string{"-dir", "d", "-file", "f", "--", "./d"}, "crashcheck run: COMMAND not found: exec: \"./d\": is a directory\n"},
		{"command not on the Invocation's PATH", []string{"-file", "f", "--", "true"}, "crashcheck run: COMMAND not found: exec: \"true\": executable file not found in $PATH\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(Invocation{Dir: work, Env: []string{"PATH=" + work}, Stdout: &stdout, Stderr: &stderr}, tt.args)
			first, _, _ := strings.Cut(stderr.String(), "Run 'crashcheck run -h'")
			if code != 2 || first != tt.want || stdout.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, %q", code, stdout.String(), stderr.String(), tt.want)
			}
		})
	}
	t.Run("DefaultDir in usage", func(t *testing.T) {
		var stderr bytes.Buffer
		if code := Run(Invocation{Dir: work, DefaultDir: work, Stderr: &stderr}, []string{"-h"}); code != 0 {
			t.Fatalf("exit %d", code)
		}
		want := "copy DIR's tree in as the initial, durable state (default \"" + work + "\")"
		if !strings.Contains(stderr.String(), want) || strings.Contains(stderr.String(), "default empty") {
			t.Errorf("usage does not say %q:\n%s", want, stderr.String())
		}
	})
}

// TestRunInParallel: runs in several goroutines at once, each in its own
// directory and environment, keep apart: each sees its own tree, its
// own variables and stdin, and reports to its own writers; and a run
// that ends closes no descriptor of another (one did: go-fuse and run
// both closed a mount's /dev/fuse descriptor, the second time whatever
// file of another run had reused its number).
func TestRunInParallel(t *testing.T) {
	if err := CanRun(); err != nil {
		t.Skipf("crashcheck run cannot mount here: %v", err)
	}
	const goroutines, runs = 4, 5
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range runs {
				checkIsolatedRun(t, g*runs+r)
			}
		}()
	}
	wg.Wait()
}

// checkIsolatedRun makes run i of TestRunInParallel, in a directory of its own.
func checkIsolatedRun(t *testing.T, i int) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(fmt.Sprintf("old %d\n", i)), 0o644); err != nil {
		t.Error(err)
		return
	}
	var stdout, stderr bytes.Buffer
	env := append(os.Environ(), fmt.Sprintf("RUN=%d", i))
	inv := Invocation{Dir: dir, Env: env, Stdin: strings.NewReader(fmt.Sprintf("new %d\n", i)), Stdout: &stdout, Stderr: &stderr, DefaultDir: "."}
	script := `test "$(cat config)" = "old $RUN" && echo "saw run $RUN" && cat > config.tmp && sync && mv config.tmp config && sync`
	code := Run(inv, []string{"-quiet", "-file", "config", "-durable", "--", "sh", "-c", script})
	want := fmt.Sprintf("saw run %d\n", i)
	if code != 0 || !strings.HasPrefix(stdout.String(), want) || !strings.Contains(stdout.String(), "; no violation\n") || stderr.Len() != 0 {
		t.Errorf("run %d: exit %d; stdout:\n%s\nstderr:\n%s", i, code, stdout.String(), stderr.String())
	}
	if got, err := os.ReadFile(filepath.Join(dir, "config")); err != nil || string(got) != fmt.Sprintf("old %d\n", i) {
		t.Errorf("run %d: the original config now holds %q, %v", i, got, err)
	}
}
