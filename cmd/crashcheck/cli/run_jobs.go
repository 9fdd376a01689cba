//go:build linux

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/fuse"
)

// stateVerdict is what the --recover and --check commands found in one
// crash state: which --recover failed and how (the checks are then not
// run), else how each --check failed ("" if it held).
type stateVerdict struct {
	failedRecover int // index into --recover, -1 if none failed
	failure       string
	checks        []string
}

// verdictCache remembers the verdict of each state key (run_jobs_key.go),
// so that a tree seen at several crash points or under several models is
// checked once. A verdict being worked out is there too, as a pending
// entry the others wait on.
type verdictCache struct {
	mu   sync.Mutex
	done map[stateKey]*pendingVerdict
}

type pendingVerdict struct {
	ready chan struct{} // closed once v is set
	v     *stateVerdict
}

// claim returns key's entry and whether the caller must work it out
// (and then call settle); otherwise it is done or being done elsewhere.
func (c *verdictCache) claim(key stateKey) (*pendingVerdict, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = map[stateKey]*pendingVerdict{}
	}
	if p, ok := c.done[key]; ok {
		return p, false
	}
	p := &pendingVerdict{ready: make(chan struct{})}
	c.done[key] = p
	return p, true
}

func (p *pendingVerdict) settle(v *stateVerdict) {
	p.v = v
	close(p.ready)
}

func (p *pendingVerdict) wait() *stateVerdict {
	<-p.ready
	return p.v
}

// checkMount is a namespace with the test's mounts served by their own
// FUSE connections: crashcheck run's main one, or one more for --jobs.
// Every namespace mounts the same real paths, each in its own private
// mount namespace, so that a check sees the tree where COMMAND saw it.
type checkMount struct {
	ns   *namespace
	srvs []*fuse.Server
	devs []*os.File // its /dev/fuse connections, if its own (not the main mount's)
	acks string     // the CRASHCHECK_ACKS file its checks read (with --ack)
}

// switchTo makes every mount of m serve its part of state.
func (r *runner) switchMount(m *checkMount, state *faultfs.Mem, readOnly bool) {
	for i, srv := range m.srvs {
		if readOnly {
			srv.SwitchReadOnly(r.view(state, i))
		} else {
			srv.Switch(r.view(state, i))
		}
	}
}

// judge runs the --recover commands on a writable copy of state served
// at m, then, if they all succeeded, every --check command on the result
// served read-only. env is what they learn of the crash; point, where it
// came (for CRASHCHECK_ACKS).
func (r *runner) judge(m *checkMount, state *faultfs.Mem, point int, env []string) *stateVerdict {
	v := &stateVerdict{failedRecover: -1}
	if r.cfg.ack != nil {
		if err := r.writeAcks(point, m.acks); err != nil {
			r.mu.Lock()
			if r.setupErr == "" {
				r.setupErr = fmt.Sprintf("writing the CRASHCHECK_ACKS file: %v", err)
			}
			r.mu.Unlock()
		}
		env = append(env[:len(env):len(env)], "CRASHCHECK_ACKS="+m.acks)
	}
	if len(r.cfg.recovers) > 0 {
		r.switchMount(m, state, false)
		for i, c := range r.cfg.recovers {
			if exit, note, out := r.shellIn(m.ns, c, env); exit != 0 || note != "" {
				v.failedRecover, v.failure = i, commandDetail(c, exit, note, out)
				r.prog.judgedOne()
				return v
			}
		}
	}
	r.switchMount(m, state, true)
	v.checks = make([]string, len(r.cfg.checks))
	for i, c := range r.cfg.checks {
		if exit, note, out := r.shellIn(m.ns, c, env); exit != 0 || note != "" {
			v.checks[i] = commandDetail(c, exit, note, out)
		}
	}
	r.prog.judgedOne()
	return v
}

// acksFile is the CRASHCHECK_ACKS file of the i-th mount.
func (r *runner) acksFile(i int) string {
	if r.tmp == "" {
		return ""
	}
	return filepath.Join(r.tmp, "acks"+strconv.Itoa(i))
}
