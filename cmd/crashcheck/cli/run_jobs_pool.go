//go:build linux

package cli

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/fuse"
	"github.com/crashcheck/crashcheck/scenarios"
)

// prejudge works out the verdicts of the distinct crash states on
// --jobs mounts at once, before the checker goes through the states
// (which it does one at a time, in order): it enumerates the states in
// the checker's own order (models in turn, points in order, the same
// enumeration options), and hands each state key not seen before to
// whichever mount is free. The checker then finds every verdict in the
// cache, so that its report is the one --jobs 1 gives: which state a
// violation is reported in is the checker's choice, made in its order,
// and a verdict does not depend on which mount worked it out.
//
// The price: the checker stops looking at later points once every
// invariant is violated, while this pass, not knowing the verdicts yet,
// judges every distinct state. A state is held in memory from when it
// is handed out until its commands are done: at most one per mount.
func (r *runner) prejudge(hist *faultfs.History, runErr error, cache *verdictCache, main *checkMount) {
	mounts := []*checkMount{main}
	for i := 1; i < r.cfg.jobs; i++ {
		m, err := r.startCheckMount(i)
		if err != nil {
			fmt.Fprintf(r.stderr, "crashcheck run: warning: -jobs: mount %d of %d: %v; checking on %d\n", i+1, r.cfg.jobs, err, len(mounts))
			break
		}
		mounts = append(mounts, m)
	}
	defer func() {
		for _, m := range mounts[1:] {
			r.stopCheckMount(m)
		}
	}()
	// A signal ends the main namespace (onSignal); end these too.
	watched := make(chan struct{})
	defer close(watched)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-watched:
				return
			case <-tick.C:
				if r.wasInterrupted() {
					for _, m := range mounts[1:] {
						m.ns.kill()
					}
					return
				}
			}
		}
	}()

	type job struct {
		p     *pendingVerdict
		state *faultfs.Mem
		point int
		env   []string
	}
	jobs := make(chan job)
	var workers sync.WaitGroup
	for _, m := range mounts {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for j := range jobs {
				j.p.settle(r.judge(m, j.state, j.point, j.env))
			}
		}()
	}
	last := hist.Points() - 1
	opt := faultfs.EnumOptions{MaxStates: r.cfg.maxStates, Seed: r.cfg.seed}
	states := 0
	for mi, m := range r.cfg.models {
		for k := 0; k <= last && !r.wasInterrupted(); k++ {
			hist.Enumerate(m, k, opt, func(s *faultfs.CrashState) bool {
				if r.wasInterrupted() {
					return false
				}
				states++
				r.prog.reached(mi, k, last+1)
				r.prog.checked(states)
				sit := &scenarios.Situation{Kind: scenarios.AfterCrash, Model: m.Name(), Point: k, Returned: k == last, RunErr: runErr, State: s}
				if p, mine := cache.claim(keyOf(sit, r.cfg.ack != nil)); mine {
					jobs <- job{p: p, state: s.Mem(), point: k, env: commandEnv(sit)}
				}
				return true
			})
		}
	}
	close(jobs)
	workers.Wait()
}

// startCheckMount starts the i-th extra namespace for --jobs, with the
// test's mounts at their real paths served by connections of its own.
func (r *runner) startCheckMount(i int) (*checkMount, error) {
	paths := append([]string{r.dir}, r.mounts...)
	m := &checkMount{acks: r.acksFile(i)}
	for range paths {
		dev, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
		if err != nil {
			m.closeDevs()
			return nil, fmt.Errorf("FUSE unavailable: %w", err)
		}
		m.devs = append(m.devs, dev)
	}
	ns, err := startNamespace(paths, "", r.cfg.isolate, m.devs, nil, r.stdout, r.stderr)
	if err != nil {
		m.closeDevs()
		return nil, err
	}
	m.ns = ns
	procDir := fmt.Sprintf("/proc/%d/root/proc", ns.cmd.Process.Pid)
	for j, p := range paths {
		srv, err := fuse.Serve(m.devs[j], p, r.view(r.mem, j), fuse.Options{ProcDir: procDir})
		if err != nil {
			r.stopCheckMount(m)
			return nil, err
		}
		m.srvs = append(m.srvs, srv)
	}
	return m, nil
}

// stopCheckMount ends m's namespace, which removes its mounts, and waits
// for its servers to see them go.
func (r *runner) stopCheckMount(m *checkMount) {
	m.ns.close()
	for _, srv := range m.srvs {
		if err := srv.Unmount(); err != nil {
			fmt.Fprintf(r.stderr, "crashcheck run: %v\n", err)
		}
	}
	m.closeDevs()
}

func (m *checkMount) closeDevs() {
	for _, d := range m.devs {
		d.Close()
	}
	m.devs = nil
}
