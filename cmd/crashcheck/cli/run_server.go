//go:build linux

package cli

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// A server under test (--start): started in the namespace before COMMAND,
// as the same user, in its own process group, with crashcheck's stdout and
// stderr; COMMAND, the client, starts once --ready exits 0. After COMMAND
// ends the server is asked to stop with SIGTERM to its process group, and
// killed with SIGKILL after --stop-timeout. Its whole life, start-up and
// shutdown included, is in the one log of the run, so crash points cover
// it all.

// readyPoll is how often --ready is run.
const readyPoll = 50 * time.Millisecond

// nsServer is a running --start server.
type nsServer struct {
	pid  int
	gone bool
	ws   syscall.WaitStatus
}

// startServer starts req.Start and waits for req.Ready; a non-empty note
// says why the command cannot run.
func startServer(req nsRequest, attr *os.ProcAttr, start func([]string, *os.ProcAttr) (int, error)) (*nsServer, string) {
	sattr := *attr
	sattr.Files = []*os.File{attr.Files[0], os.Stdout, os.Stderr}
	pid, err := start([]string{"/bin/sh", "-c", req.Start}, &sattr)
	if err != nil {
		return nil, fmt.Sprintf("-start did not start: %v", err)
	}
	srv := &nsServer{pid: pid}
	if req.Ready == "" {
		return srv, ""
	}
	deadline := time.Now().Add(req.ReadyTimeout)
	rattr := sattr
	rattr.Files = []*os.File{attr.Files[0], os.Stderr, os.Stderr}
	for {
		ok, err := srv.poll(&rattr, req.Ready)
		switch {
		case err != nil:
			return nil, fmt.Sprintf("-ready did not start: %v", err)
		case ok:
			return srv, ""
		case srv.gone:
			return nil, fmt.Sprintf("the -start server %s before -ready succeeded", describeWait(srv.ws))
		case time.Now().After(deadline):
			return nil, fmt.Sprintf("the -start server was not ready after %v (-ready-timeout): -ready kept failing", req.ReadyTimeout)
		}
		time.Sleep(readyPoll)
	}
}

// poll runs the ready command once (not filtered: a check, not part of
// the workload) and reports whether it exited 0; the server's exit is
// noted if it comes meanwhile.
func (s *nsServer) poll(attr *os.ProcAttr, ready string) (bool, error) {
	p, err := os.StartProcess("/bin/sh", []string{"/bin/sh", "-c", ready}, attr)
	if err != nil {
		return false, err
	}
	for {
		var ws syscall.WaitStatus
		wpid, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return false, err
		}
		switch wpid {
		case s.pid:
			s.exited(ws)
		case p.Pid:
			return ws.Exited() && ws.ExitStatus() == 0, nil
		}
	}
}

// exited records the server's end.
func (s *nsServer) exited(ws syscall.WaitStatus) { s.gone, s.ws = true, ws }

// stop ends the server and says how, if not by stopping when asked: ""
// when it exited on SIGTERM within the grace period.
func (s *nsServer) stop(grace time.Duration) string {
	if s.gone {
		return fmt.Sprintf("%s before COMMAND ended", describeWait(s.ws))
	}
	syscall.Kill(-s.pid, syscall.SIGTERM)
	// Done when the whole process group is gone (a shell's child may
	// outlive the shell), reaping whatever ends meanwhile.
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		for {
			var ws syscall.WaitStatus
			wpid, _ := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if wpid <= 0 {
				break
			}
			if wpid == s.pid {
				s.exited(ws)
			}
		}
		if syscall.Kill(-s.pid, 0) == syscall.ESRCH {
			return ""
		}
		time.Sleep(5 * time.Millisecond)
	}
	syscall.Kill(-s.pid, syscall.SIGKILL)
	return fmt.Sprintf("still running %v after SIGTERM (-stop-timeout); killed", grace)
}

// describeWait says how a process ended: "exited 1", "was killed by ...".
func describeWait(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return fmt.Sprintf("was killed by %v", ws.Signal())
	}
	return fmt.Sprintf("exited %d", ws.ExitStatus())
}
