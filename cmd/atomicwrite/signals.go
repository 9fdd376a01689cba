package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/crashcheck/crashcheck/writer"
)

// interrupts handles SIGINT, SIGTERM and SIGHUP during a run: until the
// temporary file is complete and fsynced, the temporary file is removed
// and the process exits 128+signal saying FILE is unchanged; from just
// before the rename on (beforeRename), the signal waits for the rename
// and decides only the exit status. A signal that ends the producer of a
// pipeline ("sed ... f | atomicwrite f") reaches atomicwrite too, so the
// truncated input that ended with it is never committed: the signal is
// taken before the rename, however fast the input ended.
type interrupts struct {
	name   string
	stderr io.Writer
	sigs   chan os.Signal

	mu         sync.Mutex
	tmp        string // the temporary file, "" before it exists
	committing bool
	pending    os.Signal
}

func watchSignals(name string, stderr io.Writer) *interrupts {
	in := &interrupts{name: name, stderr: stderr, sigs: make(chan os.Signal, 1)}
	signal.Notify(in.sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go in.watch()
	return in
}

func (in *interrupts) watch() {
	for s := range in.sigs {
		in.mu.Lock()
		if in.committing {
			if in.pending == nil {
				in.pending = s
			}
			in.mu.Unlock()
			continue
		}
		// The lock stays held: the run cannot start committing now.
		left := "nothing was written"
		if in.tmp != "" {
			left = "temp file removed"
			if err := os.Remove(in.tmp); err != nil && !os.IsNotExist(err) {
				left = "temp file " + qname(in.tmp) + " left behind: " + errnoText(err)
			}
		}
		fmt.Fprintf(in.stderr, "atomicwrite: %s: interrupted by %s; %s; %s is unchanged\n", qname(in.name), sigName(s), left, qname(in.name))
		os.Exit(128 + sigNum(s))
	}
}

// create creates the writer.File, recording its temporary file for watch.
func (in *interrupts) create(name string, perm fs.FileMode, opts []writer.Option) (*writer.File, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	f, err := writer.Create(name, perm, opts...)
	if err == nil {
		in.tmp = f.TempName()
	}
	return f, err
}

// beforeRename is the point of no return, called by the writer after the
// temporary file is fsynced and closed, just before the rename. A signal
// that got there first holds the lock until the process exits, so the
// rename never happens. A signal already sent may still be on its way
// from the runtime to watch: settle gives it that time.
func (in *interrupts) beforeRename() error {
	if stageHook != nil {
		stageHook("fsynced")
	}
	time.Sleep(settle)
	in.mu.Lock()
	in.committing = true
	in.mu.Unlock()
	if stageHook != nil {
		stageHook("renaming")
	}
	return nil
}

// stageHook, set by tests only, is called at the two sides of the point
// of no return: "fsynced" (the temporary file is complete, a signal still
// aborts) and "renaming" (a signal now waits for the rename).
var stageHook func(stage string)

// settle is how long beforeRename waits for a signal already delivered to
// the process to reach watch: far more than the runtime takes, far less
// than a person notices.
const settle = 5 * time.Millisecond

// caught is the signal that arrived during the commit, or nil.
func (in *interrupts) caught() os.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.pending
}

func (in *interrupts) stop() {
	signal.Stop(in.sigs)
	close(in.sigs)
}

func sigNum(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return int(n)
	}
	return 0
}

func sigName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}
