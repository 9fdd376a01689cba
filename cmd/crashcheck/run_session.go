//go:build linux

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

// runner is one crashcheck run: its temp directory, mount and results.
type runner struct {
	cfg             *runConfig
	stdin           io.Reader
	stdout, stderr  io.Writer
	tmp, mnt        string
	srv             *fuse.Server
	mu              sync.Mutex // guards child and srv against the signal handler
	child           int        // process group being waited for, 0 if none
	interrupted     os.Signal
	commandExit     int
	commandExitedOK bool
	commandNote     string
}

// run does the whole run and returns crashcheck's exit status. Whatever
// happens, the mount and the temp directory are removed.
func (r *runner) run() int {
	tmp, err := os.MkdirTemp("", "crashcheck-run-")
	if err != nil {
		fmt.Fprintf(r.stderr, "crashcheck run: %v\n", err)
		return 2
	}
	r.tmp, r.mnt = tmp, filepath.Join(tmp, "mnt")
	defer os.RemoveAll(tmp)
	if err := os.Mkdir(r.mnt, 0o755); err != nil {
		fmt.Fprintf(r.stderr, "crashcheck run: %v\n", err)
		return 2
	}

	mem := faultfs.NewMem(faultfs.WithUmask(0))
	if r.cfg.dir != "" {
		if err := copyTree(mem, r.cfg.dir); err != nil {
			fmt.Fprintf(r.stderr, "crashcheck run: copying --dir: %v\n", err)
			return 2
		}
	}
	mem.MakeDurable()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go r.onSignal(sigs)

	srv, err := fuse.Mount(r.mnt, mem, fuse.Options{})
	if err != nil {
		fmt.Fprintf(r.stderr, "crashcheck run: FUSE unavailable: %v\n", err)
		return 2
	}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	defer r.unmount()

	r.runCommand()
	// The kernel releases COMMAND's files just after it exits: wait, so
	// that every close is in the trace, the same on every run.
	if !srv.WaitClosed(5 * time.Second) {
		fmt.Fprintln(r.stderr, "crashcheck run: warning: files still open on the mount 5s after COMMAND ended; their closes are missing from the trace")
	}
	if r.interrupted != nil {
		return r.interruptedExit()
	}
	hist := mem.History()
	if len(r.cfg.checks) == 0 && len(r.cfg.recovers) == 0 {
		r.unmount() // nothing more to serve
	}
	rep := r.check(hist)
	if r.interrupted != nil {
		return r.interruptedExit()
	}
	r.unmount()
	return r.report(rep)
}

func (r *runner) interruptedExit() int {
	r.unmount()
	fmt.Fprintf(r.stderr, "crashcheck run: interrupted by %v; mount removed\n", r.interrupted)
	return 2
}

// onSignal kills the running process group and removes the mount on
// SIGINT or SIGTERM; run notices and returns.
func (r *runner) onSignal(sigs <-chan os.Signal) {
	sig, ok := <-sigs
	if !ok {
		return
	}
	r.mu.Lock()
	r.interrupted = sig
	if r.child > 0 {
		syscall.Kill(-r.child, syscall.SIGKILL)
	}
	r.mu.Unlock()
}

func (r *runner) unmount() {
	r.mu.Lock()
	srv := r.srv
	r.mu.Unlock()
	if srv == nil {
		return
	}
	if err := srv.Unmount(); err != nil {
		fmt.Fprintf(r.stderr, "crashcheck run: %v\n", err)
	}
}

// copyTree copies dir's files, directories and symbolic links, with their
// permission bits, into fsys's root.
func copyTree(fsys faultfs.FS, dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case fi.IsDir():
			if err := fsys.Mkdir(rel, fi.Mode().Perm()); err != nil {
				return err
			}
			return fsys.Chmod(rel, fi.Mode()&(os.ModePerm|os.ModeSetuid|os.ModeSetgid|os.ModeSticky))
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return fsys.Symlink(target, rel)
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := faultfs.WriteFile(fsys, rel, data, fi.Mode().Perm()); err != nil {
				return err
			}
			return fsys.Chmod(rel, fi.Mode()&(os.ModePerm|os.ModeSetuid|os.ModeSetgid|os.ModeSticky))
		}
		return fmt.Errorf("%s: unsupported file type %v", p, fi.Mode().Type())
	})
}
