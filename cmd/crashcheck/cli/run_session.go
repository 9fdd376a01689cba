//go:build linux

package cli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/fuse"
)

// runner is one crashcheck run: the test directory, the namespace that
// mounts it, the server and the results.
//
// COMMAND, --recover and --check commands all run in one private mount
// and PID namespace (run_nsinit.go) where the in-memory filesystem is
// mounted at the real path of --dir, so absolute paths and symbolic links
// into --dir resolve to the test's copy, never to the original. The mount
// exists in that namespace only: crashcheck's own namespace never sees it,
// and it goes with the namespace's last process, which dies with
// crashcheck however crashcheck ends.
type runner struct {
	cfg             *runConfig
	stdin           io.Reader
	stdout, stderr  io.Writer
	dir             string   // real path of the mounted test directory
	mounts          []string // real paths of the --mount directories
	command         []string // COMMAND by absolute path, and its arguments
	mem             *faultfs.Mem
	srvs            []*fuse.Server // serve dir, then each of mounts
	ns              *namespace
	mu              sync.Mutex // guards ns and interrupted against the signal handler
	interrupted     os.Signal
	commandExit     int
	commandExitedOK bool
	commandNote     string
	setupErr        string          // why the run cannot go on, when COMMAND made it so
	warned          map[string]bool // commands warned of writes outside the mounts
	hist            *faultfs.History
	tmp             string // crashcheck's own temp directory (the acks file), outside the mounts
	prog            *runProgress
}

// run does the whole run and returns crashcheck's exit status. Whatever
// happens, the namespace (with its mount and processes) ends and the temp
// directory, if any, is removed.
func (r *runner) run() (code int) {
	// Resolve COMMAND before anything is mounted, against crashcheck's own
	// working directory: the command then runs by absolute path and its
	// name never resolves through the mount.
	command, err := filepath.Abs(r.cfg.command)
	if err != nil {
		return r.setupError("COMMAND: %v", err)
	}
	r.command = append([]string{command}, r.cfg.args...)

	removeDir := ""
	if r.cfg.dir == "" {
		tmp, err := os.MkdirTemp("", "crashcheck-run-")
		if err != nil {
			return r.setupError("%v", err)
		}
		defer os.Remove(tmp)
		r.dir, removeDir = tmp, tmp
	} else {
		real, err := realDir(r.cfg.dir)
		if err != nil {
			return r.setupError("-dir: %v", err)
		}
		r.dir = real
	}

	for _, m := range r.cfg.mounts {
		real, err := realDir(m)
		if err != nil {
			return r.setupError("-mount: %v", err)
		}
		for _, other := range append([]string{r.dir}, r.mounts...) {
			if within(real, other) || within(other, real) {
				return r.setupError("-mount %s overlaps %s; mounted trees must be apart", m, other)
			}
		}
		r.mounts = append(r.mounts, real)
	}

	if r.cfg.ack != nil {
		tmp, err := os.MkdirTemp("", "crashcheck-acks-")
		if err != nil {
			return r.setupError("%v", err)
		}
		defer os.RemoveAll(tmp)
		if err := os.Chmod(tmp, 0o755); err != nil {
			return r.setupError("%v", err)
		}
		r.tmp = tmp
	}

	mem := faultfs.NewMem(faultfs.WithUmask(0))
	if r.cfg.dir != "" {
		if err := copyTree(mem, r.dir, ""); err != nil {
			return r.setupError("copying -dir: %v", err)
		}
	}
	if len(r.mounts) > 0 {
		if err := mem.Mkdir(mountsDir, 0o700); err != nil {
			return r.setupError("%v", err)
		}
		for i, m := range r.mounts {
			if err := copyTree(mem, m, mountPrefix(i)); err != nil {
				return r.setupError("copying -mount %s: %v", m, err)
			}
		}
	}
	mem.MakeDurable()
	r.mem = mem

	paths := append([]string{r.dir}, r.mounts...)
	var devs []*os.File
	defer func() {
		for _, d := range devs {
			d.Close()
		}
	}()
	for range paths {
		dev, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
		if err != nil {
			return r.setupError("FUSE unavailable: %v", err)
		}
		devs = append(devs, dev)
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer func() {
		// Once Stop returns no signal is sent on sigs: closing it ends
		// onSignal (a run in-process, cli.Run, leaves no goroutine).
		signal.Stop(sigs)
		close(sigs)
	}()
	go r.onSignal(sigs)

	ns, err := startNamespace(paths, removeDir, r.cfg.isolate, devs, r.stdin, r.stdout, r.stderr)
	if err != nil {
		return r.setupError("%v", err)
	}
	var srvs []*fuse.Server
	for i, p := range paths {
		// Callers' PIDs are the namespace's: read them in its /proc.
		procDir := fmt.Sprintf("/proc/%d/root/proc", ns.cmd.Process.Pid)
		srv, err := fuse.Serve(devs[i], p, r.view(mem, i), fuse.Options{ProcDir: procDir})
		if err != nil {
			ns.close()
			return r.setupError("%v", err)
		}
		srvs = append(srvs, srv)
	}
	r.mu.Lock()
	r.ns, r.srvs = ns, srvs
	interrupted := r.interrupted != nil
	r.mu.Unlock()
	defer r.unmount()
	if interrupted {
		return r.interruptedExit()
	}

	r.prog = r.startProgress()
	defer r.prog.end()
	r.runCommand()
	if r.wasInterrupted() {
		return r.interruptedExit()
	}
	if r.setupErr != "" {
		return r.setupError("%s", r.setupErr)
	}
	// The kernel releases COMMAND's files just after it exits: wait, so
	// that every close is in the trace, the same on every run.
	if !waitClosed(srvs, 5*time.Second) {
		fmt.Fprintln(r.stderr, "crashcheck run: warning: files still open on the mount 5s after COMMAND ended; their closes are missing from the trace")
	}
	hist := mem.History()
	r.hist = hist
	if len(r.cfg.checks) == 0 && len(r.cfg.recovers) == 0 {
		r.unmount() // nothing more to serve
	}
	rep := r.check(hist)
	if r.wasInterrupted() {
		return r.interruptedExit()
	}
	if r.setupErr != "" {
		return r.setupError("%s", r.setupErr)
	}
	r.unmount()
	r.prog.end()
	return r.report(rep)
}

// view is what the i-th mount serves of m: all of it when there is one
// mount; else --dir's tree without the --mount trees, or the tree of
// --mount i-1 (see run_mounts.go).
func (r *runner) view(m *faultfs.Mem, i int) faultfs.FS {
	switch {
	case len(r.mounts) == 0:
		return m
	case i == 0:
		return memView{m: m, hide: mountsDir}
	}
	return memView{m: m, prefix: mountPrefix(i - 1)}
}

// switchTo makes every mount serve its part of state.
func (r *runner) switchTo(state *faultfs.Mem, readOnly bool) {
	for i, srv := range r.srvs {
		if readOnly {
			srv.SwitchReadOnly(r.view(state, i))
		} else {
			srv.Switch(r.view(state, i))
		}
	}
}

func waitClosed(srvs []*fuse.Server, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for _, s := range srvs {
		if !s.WaitClosed(time.Until(deadline)) {
			return false
		}
	}
	return true
}

// within reports whether p is dir or lies below it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// realDir is dir made absolute with every symbolic link resolved; it must
// be a directory.
func realDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s is not a directory", dir)
	}
	return real, nil
}

func (r *runner) setupError(format string, args ...any) int {
	r.unmount()
	fmt.Fprintf(r.stderr, "crashcheck run: "+format+"\n", args...)
	return 2
}

func (r *runner) wasInterrupted() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.interrupted != nil
}

func (r *runner) interruptedExit() int {
	r.unmount()
	r.mu.Lock()
	sig := r.interrupted
	r.mu.Unlock()
	fmt.Fprintf(r.stderr, "crashcheck run: interrupted by %v; mount removed\n", sig)
	return 2
}

// onSignal ends the namespace, with every process in it and the mount, on
// SIGINT or SIGTERM; run notices and returns.
func (r *runner) onSignal(sigs <-chan os.Signal) {
	sig, ok := <-sigs
	if !ok {
		return
	}
	r.mu.Lock()
	r.interrupted = sig
	ns := r.ns
	r.mu.Unlock()
	if ns != nil {
		ns.kill()
	}
}

// unmount ends the namespace, which removes the mount, and waits for the
// server to see it go. Calling it again is a no-op.
func (r *runner) unmount() {
	r.mu.Lock()
	ns, srvs := r.ns, r.srvs
	r.mu.Unlock()
	if ns != nil {
		ns.close()
	}
	for _, srv := range srvs {
		if err := srv.Unmount(); err != nil {
			fmt.Fprintf(r.stderr, "crashcheck run: %v\n", err)
		}
	}
}
