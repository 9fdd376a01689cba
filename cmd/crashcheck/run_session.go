package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
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
	command         []string // COMMAND by absolute path, and its arguments
	mem             *faultfs.Mem
	srv             *fuse.Server
	ns              *namespace
	mu              sync.Mutex // guards ns and interrupted against the signal handler
	interrupted     os.Signal
	commandExit     int
	commandExitedOK bool
	commandNote     string
	setupErr        string // why the run cannot go on, when COMMAND made it so
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
			return r.setupError("--dir: %v", err)
		}
		r.dir = real
	}

	if r.cfg.jsonPath != "" {
		created, err := probeCreate(r.cfg.jsonPath)
		if err != nil {
			return r.setupError("--json: %v", err)
		}
		if created {
			defer func() {
				if code == 2 {
					os.Remove(r.cfg.jsonPath)
				}
			}()
		}
	}

	mem := faultfs.NewMem(faultfs.WithUmask(0))
	if r.cfg.dir != "" {
		if err := copyTree(mem, r.dir); err != nil {
			return r.setupError("copying --dir: %v", err)
		}
	}
	mem.MakeDurable()
	r.mem = mem

	dev, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		return r.setupError("FUSE unavailable: %v", err)
	}
	defer dev.Close()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go r.onSignal(sigs)

	ns, err := startNamespace([]string{r.dir}, removeDir, []*os.File{dev}, r.stdin, r.stdout, r.stderr)
	if err != nil {
		return r.setupError("%v", err)
	}
	srv, err := fuse.Serve(dev, r.dir, mem, fuse.Options{})
	if err != nil {
		ns.close()
		return r.setupError("%v", err)
	}
	r.mu.Lock()
	r.ns, r.srv = ns, srv
	interrupted := r.interrupted != nil
	r.mu.Unlock()
	defer r.unmount()
	if interrupted {
		return r.interruptedExit()
	}

	r.runCommand()
	if r.interrupted != nil {
		return r.interruptedExit()
	}
	if r.setupErr != "" {
		return r.setupError("%s", r.setupErr)
	}
	// The kernel releases COMMAND's files just after it exits: wait, so
	// that every close is in the trace, the same on every run.
	if !srv.WaitClosed(5 * time.Second) {
		fmt.Fprintln(r.stderr, "crashcheck run: warning: files still open on the mount 5s after COMMAND ended; their closes are missing from the trace")
	}
	hist := mem.History()
	if msg := absentFiles(hist, r.cfg.files); msg != "" {
		return r.setupError("%s", msg)
	}
	if len(r.cfg.checks) == 0 && len(r.cfg.recovers) == 0 {
		r.unmount() // nothing more to serve
	}
	rep := r.check(hist)
	if r.interrupted != nil {
		return r.interruptedExit()
	}
	if r.setupErr != "" {
		return r.setupError("%s", r.setupErr)
	}
	r.unmount()
	return r.report(rep)
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

// probeCreate checks, before the run, that the report file can be
// written: it opens it for writing, creating it if absent (and says so).
func probeCreate(name string) (created bool, err error) {
	if _, err := os.Lstat(name); err != nil {
		created = true
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return false, err
	}
	return created, f.Close()
}

// absentFiles names the --file paths in neither the initial tree nor the
// final state: a typing error, since no crash state can then hold them.
func absentFiles(hist *faultfs.History, files []string) string {
	initial, final := hist.InitialState(), hist.FinalState()
	for _, f := range files {
		if contentOf(initial, f).absent && contentOf(final, f).absent {
			return fmt.Sprintf("--file %s: absent from --dir's tree and from the state COMMAND left; nothing to check", f)
		}
	}
	return ""
}

func (r *runner) setupError(format string, args ...any) int {
	r.unmount()
	fmt.Fprintf(r.stderr, "crashcheck run: "+format+"\n", args...)
	return 2
}

func (r *runner) interruptedExit() int {
	r.unmount()
	fmt.Fprintf(r.stderr, "crashcheck run: interrupted by %v; mount removed\n", r.interrupted)
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
	ns, srv := r.ns, r.srv
	r.mu.Unlock()
	if ns != nil {
		ns.close()
	}
	if srv == nil {
		return
	}
	if err := srv.Unmount(); err != nil {
		fmt.Fprintf(r.stderr, "crashcheck run: %v\n", err)
	}
}
