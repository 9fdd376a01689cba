//go:build linux

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// runCommand runs COMMAND once at the mount, in its own process group,
// with crashcheck's standard streams, and kills the group after --timeout.
// The group is killed when COMMAND exits too, so that nothing it left
// running keeps using the mount.
func (r *runner) runCommand() {
	cmd := exec.Command(r.cfg.command, r.cfg.args...)
	cmd.Dir = r.mnt
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r.stdin, r.stdout, r.stderr
	exit, note := r.runGroup(cmd, r.cfg.timeout)
	r.commandExit, r.commandNote = exit, note
	r.commandExitedOK = exit == 0 && note == ""
}

// runGroup starts cmd in a new process group and waits for it, killing the
// group after timeout. It returns the exit status (-1 if it has none) and a
// note saying why, when it did not simply exit.
func (r *runner) runGroup(cmd *exec.Cmd, timeout time.Duration) (int, string) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Streams that are not files are copied by goroutines; do not let a
	// descendant that keeps them open hold up Wait.
	cmd.WaitDelay = time.Second
	r.mu.Lock()
	if r.interrupted != nil {
		r.mu.Unlock()
		return -1, "not started: interrupted"
	}
	err := cmd.Start()
	if err == nil {
		r.child = cmd.Process.Pid
	}
	r.mu.Unlock()
	if err != nil {
		return -1, fmt.Sprintf("did not start: %v", err)
	}
	timedOut := false
	timer := time.AfterFunc(timeout, func() {
		r.mu.Lock()
		timedOut = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		r.mu.Unlock()
	})
	err = cmd.Wait()
	timer.Stop()
	r.mu.Lock()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	r.child = 0
	wasTimedOut := timedOut
	r.mu.Unlock()
	if wasTimedOut {
		return -1, fmt.Sprintf("timed out after %v; killed with its process group", timeout)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, ""
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1, fmt.Sprintf("killed by %v", ws.Signal())
		}
		return ee.ExitCode(), ""
	case errors.Is(err, exec.ErrWaitDelay):
		return cmd.ProcessState.ExitCode(), ""
	}
	return -1, err.Error()
}

// shell runs `sh -c script` at the mount with env added to crashcheck's
// environment, and returns its exit status, note and combined output.
func (r *runner) shell(script string, env []string) (int, string, []byte) {
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir = r.mnt
	cmd.Env = append(os.Environ(), env...)
	var out limitedBuffer
	cmd.Stdin = nil
	cmd.Stdout, cmd.Stderr = &out, &out
	exit, note := r.runGroup(cmd, r.cfg.timeout)
	return exit, note, out.b
}

// limitedBuffer keeps the first 4 KiB written to it.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 4096 - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

var _ io.Writer = (*limitedBuffer)(nil)
