//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// command is atomicwrite as a process: the test binary under that name,
// which testscript.Main put on $PATH.
func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	path, err := exec.LookPath("atomicwrite")
	if err != nil {
		t.Fatalf("atomicwrite is not on $PATH (testscript.Main puts it there): %v", err)
	}
	return exec.Command(path, args...)
}

// temps lists the writer's temporary files in dir.
func temps(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.crashcheck-tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// startSlow starts atomicwrite on file with a standard input that it
// feeds 1 MiB and then keeps open, and returns once the temporary file
// holds data, with the process blocked reading more.
func startSlow(t *testing.T, file string, stderr *bytes.Buffer) (*exec.Cmd, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := command(t, file)
	cmd.Stdin, cmd.Stderr = r, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { w.Close(); cmd.Process.Kill(); cmd.Wait() })
	if _, err := w.Write(bytes.Repeat([]byte("x"), 1<<20)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if ts := temps(t, filepath.Dir(file)); len(ts) == 1 {
			if fi, err := os.Stat(ts[0]); err == nil && fi.Size() == 1<<20 {
				return cmd, w
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no temporary file of 1 MiB appeared; stderr %q", stderr)
		}
	}
}

// TestSignalLeavesNothing: SIGINT, SIGTERM and SIGHUP during a large write
// remove the temporary file, leave FILE unchanged and exit 128+signal with
// one line saying so.
func TestSignalLeavesNothing(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		name string
	}{{syscall.SIGINT, "SIGINT"}, {syscall.SIGTERM, "SIGTERM"}, {syscall.SIGHUP, "SIGHUP"}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "f")
			if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd, _ := startSlow(t, file, &stderr)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 128+int(tc.sig) {
				t.Errorf("exit %v, want status %d", err, 128+int(tc.sig))
			}
			want := "atomicwrite: " + file + ": interrupted by " + tc.name + "; temp file removed; " + file + " is unchanged\n"
			if stderr.String() != want {
				t.Errorf("stderr %q, want %q", stderr.String(), want)
			}
			if ts := temps(t, dir); len(ts) > 0 {
				t.Errorf("left %q", ts)
			}
			if b, _ := os.ReadFile(file); string(b) != "old" {
				t.Errorf("file holds %d bytes, want the old content", len(b))
			}
		})
	}
}

// TestKilledThenClean: SIGKILL leaves the temporary file; a later run
// mentions it once it is stale, and -clean removes it and nothing else.
func TestKilledThenClean(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd, _ := startSlow(t, file, &stderr)
	cmd.Process.Kill()
	cmd.Wait()
	left := temps(t, dir)
	if len(left) != 1 {
		t.Fatalf("after SIGKILL: temporary files %q, want one", left)
	}
	notOurs := []string{".f.swp", ".f.0123456789abcdef.tmp", "f.0123456789abcdef.crashcheck-tmp"}
	hourAgo := time.Now().Add(-time.Hour)
	for _, n := range notOurs {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, hourAgo, hourAgo)
	}

	// Fresh, it may belong to a live run: not stale yet.
	clean := command(t, "-clean", dir)
	if out, err := clean.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("-clean of a fresh temp: %v, output %q; want nothing removed", err, out)
	}

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Chtimes(left[0], hourAgo, hourAgo))
	run := command(t, filepath.Join(dir, "other"))
	run.Stdin = strings.NewReader("new")
	out, err := run.CombinedOutput()
	wantNote := "atomicwrite: note: " + left[0] + " may be a stale temporary file of an interrupted run; atomicwrite -clean " + dir + " removes it if so\n"
	if err != nil || string(out) != wantNote {
		t.Errorf("a later run: %v, output %q; want %q", err, out, wantNote)
	}

	clean = command(t, "-clean", dir)
	out, err = clean.CombinedOutput()
	if err != nil || string(out) != left[0]+"\n" {
		t.Errorf("-clean: %v, output %q; want %q", err, out, left[0]+"\n")
	}
	for _, n := range append(notOurs, "f", "other") {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			t.Errorf("-clean removed %s, not ours", n)
		}
	}
	if ts := temps(t, dir); len(ts) > 0 {
		t.Errorf("left %q", ts)
	}
}

// TestClosedStdin: a standard input closed by the shell (<&-, which the Go
// runtime replaces by /dev/null opened read-write) is refused; </dev/null
// is empty input, on purpose.
func TestClosedStdin(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	aw, err := exec.LookPath("atomicwrite")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	for _, tc := range []struct {
		redirect string
		status   int
		stderr   string
		content  string
	}{
		{"<&-", 1, "atomicwrite: standard input is closed (or is /dev/null opened read-write); " + file + " is unchanged (to empty it on purpose, give </dev/null or -empty-ok)\n", "old"},
		{"<>/dev/null", 1, "atomicwrite: standard input is closed (or is /dev/null opened read-write); " + file + " is unchanged (to empty it on purpose, give </dev/null or -empty-ok)\n", "old"},
		{"<" + dir, 1, "atomicwrite: reading standard input: is a directory; " + file + " is unchanged\n", "old"},
		{"0>" + filepath.Join(dir, "w"), 1, "atomicwrite: standard input is not open for reading; " + file + " is unchanged\n", "old"},
		{"0>>" + filepath.Join(dir, "w"), 1, "atomicwrite: standard input is not open for reading; " + file + " is unchanged\n", "old"},
		{"</dev/null", 0, "", ""},
		{"-empty-ok <>/dev/null", 0, "", ""},
	} {
		t.Run(tc.redirect, func(t *testing.T) {
			if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("sh", "-c", `exec "$0" `+tc.redirect+` "$1"`, aw, file)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if got := cmd.ProcessState.ExitCode(); got != tc.status || stderr.String() != tc.stderr {
				t.Errorf("exit %d (%v), stderr %q; want %d, %q", got, err, stderr.String(), tc.status, tc.stderr)
			}
			if b, _ := os.ReadFile(file); string(b) != tc.content {
				t.Errorf("file holds %q, want %q", b, tc.content)
			}
			if ts := temps(t, dir); len(ts) > 0 {
				t.Errorf("left %q", ts)
			}
		})
	}
}

// TestCopyErrorOfStdin: when the copy from a regular file standard input
// fails on the reading side (here a descriptor open for writing only,
// which stdinProblem would have refused), the error is standard input's,
// not FILE's, though the copy offload names the temporary file.
func TestCopyErrorOfStdin(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "w"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdin, err := os.OpenFile(filepath.Join(dir, "w"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	in := watchSignals(file, io.Discard)
	defer in.stop()
	err = replace(file, 0o666, false, stdin, nil, in)
	want := "atomicwrite: reading standard input: bad file descriptor; " + file + " is unchanged"
	if got := report(file, err); got != want {
		t.Errorf("report %q, want %q", got, want)
	}
	if b, _ := os.ReadFile(file); string(b) != "old" {
		t.Errorf("file holds %q, want old", b)
	}
	if ts := temps(t, dir); len(ts) > 0 {
		t.Errorf("left %q", ts)
	}
}

// TestStdinReset: an error reading standard input (a TCP reset) is
// reported as such, never as FILE's.
func TestStdinReset(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback TCP: %v", err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	server.Write([]byte("partial"))
	server.(*net.TCPConn).SetLinger(0)
	server.Close() // RST
	stdin, err := client.(*net.TCPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	time.Sleep(50 * time.Millisecond)

	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	status := run([]string{file}, stdin, &bytes.Buffer{}, &stderr)
	want := "atomicwrite: reading standard input: connection reset by peer; " + file + " is unchanged\n"
	if status != 1 || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", status, stderr.String(), want)
	}
	if b, _ := os.ReadFile(file); string(b) != "old" {
		t.Errorf("file holds %q, want old", b)
	}
}

// TestSignalToPipeline: Ctrl-C in "producer | atomicwrite f" reaches both.
// The producer dies and atomicwrite sees the end of its input at once;
// that truncated input must never be committed. Whenever the signal
// lands, f holds its old content or all of the producer's.
func TestSignalToPipeline(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	aw, err := exec.LookPath("atomicwrite")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	full := bytes.Repeat([]byte("0123456789abcde\n"), 1<<18) // 4 MiB
	if err := os.WriteFile(big, full, 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "f")
	counts := map[string]int{}
	for i := 0; i < 40; i++ {
		if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		// The producer writes in small pieces, so that it is killed
		// mid-stream for most delays.
		cmd := exec.Command("sh", "-c", `dd if="$1" bs=4096 2>/dev/null | "$0" -no-sync "$2"`, aw, big, file)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(i%20) * time.Millisecond / 2)
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		cmd.Wait()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case string(b) == "old":
			counts["old"]++
		case bytes.Equal(b, full):
			counts["new"]++
		default:
			t.Fatalf("run %d: f holds %d bytes, neither the old content nor all of the input", i, len(b))
		}
	}
	t.Logf("old %d, new %d", counts["old"], counts["new"])
}
