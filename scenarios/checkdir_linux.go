//go:build linux

package scenarios

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/fuse"
)

// CheckDirAvailable reports why [CheckDir] cannot mount its directory in
// this process (no usable /dev/fuse; neither root nor a fusermount3 or
// fusermount helper), or nil if it can.
func CheckDirAvailable() error {
	if err := fuse.Available(); err != nil {
		return fmt.Errorf("CheckDir mounts a FUSE filesystem: %w", err)
	}
	return nil
}

// verifyDir is Verify for a DirSpec: Setup and every run of Run work in
// one FUSE mount of a fresh directory, which serves, for each run, an
// Injector over a clone of the set-up Mem (fuse.Server.Switch). The mount
// and its directory are removed on every way out, a panic of Setup or
// Run included.
func verifyDir(spec DirSpec) (rep *Report, err error) {
	name := spec.name()
	if err := checkable(name, spec.Run != nil, spec.Invariants); err != nil {
		return nil, err
	}
	mnt, err := os.MkdirTemp("", "crashcheck-checkdir-")
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	defer os.Remove(mnt)
	// Umask 0: the kernel has applied the caller's umask already.
	set := faultfs.NewMem(faultfs.WithUmask(0))
	srv, err := fuse.Mount(mnt, set, fuse.Options{})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errCannotMount, err)
	}
	defer func() {
		if uerr := srv.Unmount(); uerr != nil && err == nil {
			rep, err = nil, fmt.Errorf("scenario %s: %w", name, uerr)
		}
	}()
	d := &dirMount{srv: srv}

	if spec.Setup != nil {
		if err := spec.Setup(mnt); err != nil {
			return nil, fmt.Errorf("scenario %s: Setup failed: %w", name, err)
		}
	}
	if err := d.settle("Setup"); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	set.MakeDurable()

	c := newChecker(name, spec.Models, spec.Invariants, faultfs.EnumOptions{MaxStates: spec.MaxStates, Seed: spec.Seed})
	unfired, err := c.verifyRuns(runs{
		name: name, set: set, errnos: spec.errnos(), trigger: dirTriggers,
		do: func(fsys faultfs.FS) error {
			srv.Switch(fsys)
			err := spec.Run(mnt)
			if serr := d.settle("Run"); serr != nil && d.leaked == nil {
				d.leaked = serr
			}
			return err
		},
		noOps: "Run made no operation in the directory it was given (does it work somewhere else?)",
	})
	if d.leaked != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, d.leaked)
	}
	if err != nil {
		return nil, err
	}
	if len(unfired) > 0 {
		return nil, fmt.Errorf("scenario %s: Run does not make the same operations each time it runs: %s",
			name, describeUnfired(unfired))
	}
	return c.rep, nil
}

// dirMount is verifyDir's mount.
type dirMount struct {
	srv    *fuse.Server
	leaked error // set when a run left files open on the mount
}

// settle waits until every file opened through the mount is released:
// the kernel sends a file's RELEASE, which may log a close, just after
// close(2) returns. A file the code under test dropped without closing
// it is closed by its finalizer, so settle collects garbage once before
// it gives up on a file still open; after it gave up, it waits no more
// (the files left open stay counted).
func (d *dirMount) settle(who string) error {
	if d.leaked != nil || d.srv.WaitClosed(100*time.Millisecond) {
		return nil
	}
	runtime.GC()
	if d.srv.WaitClosed(settleTimeout) {
		return nil
	}
	return fmt.Errorf("%s left a file open on the mount (%v after it returned, after a garbage collection): "+
		"it must close every file it opens", who, settleTimeout)
}

// settleTimeout is how long settle waits for a file left open to be
// closed after a garbage collection.
var settleTimeout = 5 * time.Second

// dirTriggers is how an error run of CheckDir fires a fault at op i of
// the fault-free run's trace: at the nth op of the same kind, counted
// among the ops of that kind, for the kinds that a program's system call
// sends while it waits, in program order. Closes are not faulted (the
// kernel's RELEASE arrives after close(2) has returned, at a moment of
// its own, and cannot be told from the FLUSH that close(2) waits for),
// nor are lookups, stats, seeks, readdir and readlink, which the kernel
// sends as it needs them.
func dirTriggers(trace []faultfs.Op) func(i int) (faultfs.Trigger, bool) {
	nth := make([]int, len(trace))
	var seen [256]int
	for i, op := range trace {
		seen[op.Kind]++
		nth[i] = seen[op.Kind]
	}
	return func(i int) (faultfs.Trigger, bool) {
		if !faultableThroughMount(trace[i].Kind) {
			return nil, false
		}
		return faultfs.OnNth(nth[i], faultfs.Kinds(trace[i].Kind)), true
	}
}

// faultableThroughMount reports whether ops of kind k reach the FS once
// per system call of the program, while it waits.
func faultableThroughMount(k faultfs.OpKind) bool {
	switch k {
	case faultfs.OpOpen, faultfs.OpRead, faultfs.OpWrite, faultfs.OpSync, faultfs.OpSyncDir, faultfs.OpDatasync,
		faultfs.OpTruncate, faultfs.OpFchmod, faultfs.OpFchown, faultfs.OpRename, faultfs.OpRemove,
		faultfs.OpMkdir, faultfs.OpSymlink, faultfs.OpLink, faultfs.OpChmod, faultfs.OpChown,
		faultfs.OpLchown, faultfs.OpChtimes, faultfs.OpLchtimes, faultfs.OpMknod:
		return true
	}
	return false
}

// describeUnfired names the first few faults that never fired.
func describeUnfired(unfired []unfiredFault) string {
	var parts []string
	for i, u := range unfired {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(unfired)-i))
			break
		}
		parts = append(parts, u.String())
	}
	return strings.Join(parts, "; ")
}
