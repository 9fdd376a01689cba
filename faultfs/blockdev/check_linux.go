package blockdev

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Outcome is what one crash state held, as the kernel sees it after
// mounting it (read-write, so that the journal or log is replayed).
type Outcome struct {
	State State
	// MountErr is set when the state could not be mounted; then Files
	// is empty.
	MountErr string
	// Files holds each target's content, in the order of
	// CheckOptions.Targets.
	Files []FileOutcome
	// Fsck is what the filesystem's checker said about the state after
	// the mount replayed it ("" when consistent, or when not run).
	Fsck string
	// Inspected is what CheckOptions.Inspect returned.
	Inspected string
}

// FileOutcome is one target in one state.
type FileOutcome struct {
	Path    string
	Present bool
	Data    []byte
	Mode    fs.FileMode // its permission bits, when Present
	// ReadErr is set when the file exists but could not be read (EIO,
	// say); Present is then true and Data nil.
	ReadErr string
}

// CheckOptions say how to judge states.
type CheckOptions struct {
	// Targets are paths relative to the filesystem's root to read.
	Targets []string
	// Fsck runs the filesystem's own checker on every state.
	Fsck bool
	// Workers mount states in parallel (default and maximum: the
	// filesystem's Workers).
	Workers int
	// TempDir holds the state images and mount points (default /dev/shm
	// if present: they are sparse, and memory is faster).
	TempDir string
	// Inspect, if set, is called with each state mounted at dir, after
	// the targets are read (to run a user's check there); what it
	// returns is Outcome.Inspected. It may be called from several
	// goroutines at once (one per worker).
	Inspect func(dir string, st State) string
}

// Check mounts every state of l in turn, on a loop device over a sparse
// file holding the base and the state's writes, reads the targets,
// unmounts it and optionally runs the checker, and calls visit with the
// outcome, in the order of states (visit is called from one goroutine).
// Everything it mounts or attaches is gone when it returns.
func Check(l *Log, states []State, opt CheckOptions, visit func(Outcome)) error {
	if err := Available(); err != nil {
		return err
	}
	fsys, err := LookupFilesystem(l.Info.FS)
	if err != nil {
		return err
	}
	if err := fsys.Available(); err != nil {
		return err
	}
	if opt.Workers <= 0 || opt.Workers > fsys.Workers {
		opt.Workers = fsys.Workers
	}
	if opt.TempDir == "" {
		if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
			opt.TempDir = "/dev/shm"
		}
	}
	tmp, err := os.MkdirTemp(opt.TempDir, "crashcheck-states-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	writes := l.writeEntries()
	results := make([]Outcome, len(states))
	done := make([]chan struct{}, len(states))
	for i := range done {
		done[i] = make(chan struct{})
	}
	next := make(chan int)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	var failed atomic.Bool
	for w := 0; w < opt.Workers; w++ {
		dir := filepath.Join(tmp, fmt.Sprintf("w%d", w))
		if err := os.MkdirAll(filepath.Join(dir, "mnt"), 0o755); err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if failed.Load() {
					close(done[i])
					continue
				}
				out, err := checkState(l, fsys, writes, states[i], opt, dir)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					failed.Store(true)
				}
				results[i] = out
				close(done[i])
			}
		}()
	}
	go func() {
		for i := range states {
			next <- i
		}
		close(next)
	}()
	for i := range states {
		<-done[i]
		if failed.Load() {
			break
		}
		visit(results[i])
	}
	wg.Wait()
	return firstErr
}

// checkState judges one state in dir (a worker's own). An error is a
// failure of the machinery (no loop device, a full disk), not of the
// state.
func checkState(l *Log, fsys *Filesystem, writes []Entry, st State, opt CheckOptions, dir string) (Outcome, error) {
	out := Outcome{State: st}
	img := filepath.Join(dir, "state.img")
	defer os.Remove(img)
	if err := materialize(l, writes, st, img); err != nil {
		return out, err
	}
	loop, err := attachLoop(img)
	if err != nil {
		return out, err
	}
	mnt := filepath.Join(dir, "mnt")
	fsys.forget()
	unmount, err := mountDevice(loop.path, mnt, fsys.Name, fsys.mountOpts(l.Info.MountOpts))
	if err != nil {
		loop.Close()
		out.MountErr = err.Error()
	} else {
		for _, t := range opt.Targets {
			out.Files = append(out.Files, ReadTarget(mnt, t))
		}
		if opt.Inspect != nil {
			out.Inspected = opt.Inspect(mnt, st)
		}
		uerr := unmount()
		loop.Close()
		if uerr != nil {
			return out, uerr
		}
	}
	if opt.Fsck {
		waitDetached(loop.path)
		out.Fsck = fsys.check(img)
	}
	return out, nil
}

// waitDetached waits a moment for an autoclear loop device to let go of
// its file after the last close (the checker must not race the mount's
// last writes).
func waitDetached(dev string) {
	name := filepath.Base(dev)
	for i := 0; i < 200; i++ {
		if _, err := os.Stat("/sys/block/" + name + "/loop/backing_file"); errors.Is(err, fs.ErrNotExist) {
			return
		}
		unix.Nanosleep(&unix.Timespec{Nsec: 1e6}, nil)
	}
}

// ReadTarget reads target (a path relative to dir) as an Outcome does:
// its content and permission bits, absent, or why it cannot be read.
func ReadTarget(dir, target string) FileOutcome {
	fo := FileOutcome{Path: target}
	name := filepath.Join(dir, target)
	data, err := os.ReadFile(name)
	switch {
	case err == nil:
		fo.Present, fo.Data = true, data
		if fi, err := os.Stat(name); err == nil {
			fo.Mode = fi.Mode().Perm()
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		fo.Present, fo.ReadErr = true, err.Error()
	}
	return fo
}

// materialize writes the state's image to path as a sparse file.
func materialize(l *Log, writes []Entry, st State, path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := writeState(f, l, writes, st); err != nil {
		f.Close()
		return fmt.Errorf("writing crash state image %s: %w", path, err)
	}
	return f.Close()
}

func writeState(f *os.File, l *Log, writes []Entry, st State) error {
	if err := f.Truncate(l.Base.size); err != nil {
		return err
	}
	for _, i := range l.Base.pageIndexes() {
		if _, err := f.WriteAt(l.Base.pages[i][:], i*PageSize); err != nil {
			return err
		}
	}
	for _, k := range st.Kept() {
		e := writes[k-1]
		if e.Kind == Zero {
			if err := unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, e.Off, e.Len); err != nil {
				return err
			}
			continue
		}
		if _, err := f.WriteAt(e.Data, e.Off); err != nil {
			return err
		}
	}
	return nil
}
