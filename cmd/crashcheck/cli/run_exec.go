//go:build linux

package cli

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// runCommand runs COMMAND once in the namespace, by absolute path, with
// its working directory at the mount and crashcheck's standard streams.
// Its sync(2) calls, and syncfs(2) calls on the mount, are barriers: every
// file and directory is made durable there (see syncEverything). After
// --timeout it is killed with everything else in the namespace; when it
// exits, whatever it left running is killed too, so that nothing keeps
// using the mount.
func (r *runner) runCommand() {
	req := nsRequest{Argv: r.command, Env: r.cfg.user.env(r.cfg.env), Dir: r.dir, Stdin: true, Timeout: r.cfg.timeout, Cred: r.cfg.user}
	req.Start, req.Ready, req.ReadyTimeout, req.StopTimeout = r.cfg.start, r.cfg.ready, r.cfg.readyWait, r.cfg.stopWait
	if r.cfg.start != "" {
		// The init waits for the server too: give it the time.
		req.Timeout += r.cfg.readyWait + r.cfg.stopWait
	}
	var lines func([]byte)
	if r.cfg.ack != nil {
		lines = r.ackLine
	}
	rep, err := r.inNamespace(req, r.barrier, lines)
	switch {
	case err != nil:
		r.commandExit, r.commandNote = -1, "not finished: "+err.Error()
		r.mu.Lock()
		if r.interrupted == nil {
			r.setupErr = "COMMAND did not finish: " + err.Error()
		}
		r.mu.Unlock()
		return
	case rep.NotStart != "":
		r.setupErr = fmt.Sprintf("COMMAND %s did not start: %s", r.command[0], rep.NotStart)
		if r.cfg.user != nil && strings.Contains(rep.NotStart, "permission denied") {
			r.setupErr += fmt.Sprintf(" (as -user %d: it needs search permission on every directory of %s, and execute permission on COMMAND)", r.cfg.user.Uid, r.dir)
		}
		return
	case len(rep.Unmounted) > 0:
		r.setupErr = describeUnmounted("COMMAND", rep.Unmounted)
		return
	}
	r.warnOutside("COMMAND", rep.Outside)
	if rep.Server != "" {
		fmt.Fprintf(r.stderr, "crashcheck run: warning: the -start server %s\n", rep.Server)
	}
	r.commandExit, r.commandNote = rep.Exit, rep.Note
	r.commandExitedOK = rep.Exit == 0 && rep.Note == ""
}

// barrier records a sync(2) of COMMAND's.
func (r *runner) barrier(string) {
	if err := syncEverything(r.mem); err != nil {
		fmt.Fprintf(r.stderr, "crashcheck run: warning: recording a sync: %v\n", err)
	}
}

// inNamespace runs req in the main namespace unless crashcheck is being
// interrupted.
func (r *runner) inNamespace(req nsRequest, barrier func(string), stdout func([]byte)) (nsReply, error) {
	r.mu.Lock()
	ns := r.ns
	r.mu.Unlock()
	return r.runIn(ns, req, barrier, stdout)
}

// runIn runs req in ns unless crashcheck is being interrupted.
func (r *runner) runIn(ns *namespace, req nsRequest, barrier func(string), stdout func([]byte)) (nsReply, error) {
	r.mu.Lock()
	interrupted := r.interrupted
	r.mu.Unlock()
	if interrupted != nil || ns == nil {
		return nsReply{}, fmt.Errorf("interrupted")
	}
	// The init kills the command after req.Timeout; should the init itself
	// not answer well after that, end the namespace.
	guard := time.AfterFunc(req.Timeout+10*time.Second, ns.kill)
	defer guard.Stop()
	return ns.run(req, barrier, stdout)
}

// shellIn runs `sh -c script` in ns at the mount with env added to
// COMMAND's environment, and returns its exit status, note and
// combined output (the first 4 KiB). It is killed after --check-timeout.
func (r *runner) shellIn(ns *namespace, script string, env []string) (int, string, []byte) {
	req := nsRequest{Argv: []string{"/bin/sh", "-c", script}, Env: append(r.cfg.user.env(r.cfg.env), env...),
		Dir: r.dir, Capture: true, Timeout: r.cfg.checkTimeout, Cred: r.cfg.user}
	rep, err := r.runIn(ns, req, nil, nil)
	switch {
	case err != nil:
		return -1, "not finished: " + err.Error(), nil
	case rep.NotStart != "":
		return -1, "did not start: " + rep.NotStart, nil
	case len(rep.Unmounted) > 0:
		r.mu.Lock()
		if r.setupErr == "" {
			r.setupErr = describeUnmounted(fmt.Sprintf("sh -c %q", script), rep.Unmounted)
		}
		r.mu.Unlock()
		ns.kill() // no further check can run
	}
	r.warnOutside(fmt.Sprintf("sh -c %q", script), rep.Outside)
	return rep.Exit, rep.Note, rep.Output
}

// warnOutside warns, once per command, of changes outside the mounts,
// one path a line.
func (r *runner) warnOutside(who string, paths []string) {
	if len(paths) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.warned == nil {
		r.warned = map[string]bool{}
	}
	if r.warned[who] {
		return
	}
	r.warned[who] = true
	fmt.Fprintf(r.stderr, "crashcheck run: warning: %s changed files outside the test's mounts (on the host, not crash-tested; -isolate refuses it):\n\t%s\n",
		who, strings.Join(paths, "\n\t"))
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
