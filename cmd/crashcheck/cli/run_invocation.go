//go:build linux

package cli

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// Invocation is what a process running crashcheck run would get from its
// working directory, environment and standard streams, for a run made
// in-process by [Run]. It changes nothing in the calling process: no
// chdir, no setenv, so runs in several goroutines at once (parallel
// testscript scripts) keep apart.
type Invocation struct {
	// Dir is the working directory: relative -dir, -mount and -json
	// paths, and a COMMAND named by a relative path with a slash,
	// resolve against it. "" is the process's own.
	Dir string
	// Env is the environment of COMMAND, -start, -ready, -check and
	// -recover (crashcheck adds its CRASHCHECK_ variables to theirs), and
	// its PATH (the last PATH= entry) is where a COMMAND named without a
	// slash is looked up. nil is os.Environ().
	Env []string
	// Stdin is COMMAND's standard input; nil is empty (/dev/null).
	Stdin io.Reader
	// Stdout gets the report and COMMAND's standard output, Stderr
	// progress, warnings, errors and COMMAND's standard error; nil
	// discards. Run writes them from several goroutines: unless they are
	// *os.File (which COMMAND then gets as they are), it serialises its
	// writes to both with one lock, so that one buffer may serve as both.
	Stdout, Stderr io.Writer
	// DefaultDir is -dir when the arguments give none (relative to Dir);
	// "" keeps crashcheck run's own default, an empty initial tree. The
	// -dir line of -h shows it.
	DefaultDir string
}

// Run runs crashcheck run with args, the arguments after "run" (flags,
// "--", COMMAND and its arguments), in inv, and returns its exit status:
// 0 no violation, 1 at least one violation, 2 usage or set-up error or
// something NOT TESTED, exactly as the command (see crashcheck run -h).
// Main(append([]string{"run"}, args...), stdin, stdout, stderr) is
// Run(Invocation{Stdin: stdin, Stdout: stdout, Stderr: stderr}, args).
func Run(inv Invocation, args []string) int {
	if inv.Stdout == nil {
		inv.Stdout = io.Discard
	}
	if inv.Stderr == nil {
		inv.Stderr = io.Discard
	}
	mu := new(sync.Mutex)
	inv.Stdout, inv.Stderr = lockWriter(inv.Stdout, mu), lockWriter(inv.Stderr, mu)
	return runIn(inv, args)
}

// lockedWriter serialises the writes to w with mu.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// lockWriter is w with its writes under mu, or w itself if it is a file.
func lockWriter(w io.Writer, mu *sync.Mutex) io.Writer {
	if _, ok := w.(*os.File); ok || w == io.Discard {
		return w
	}
	return lockedWriter{w: w, mu: mu}
}

// CanRun says whether crashcheck run can mount its test filesystem here:
// nil, or the error its set-up checks would report (not root, no usable
// /dev/fuse), without the "crashcheck run: " its message starts with.
// It is cheap: it opens and closes /dev/fuse.
func CanRun() error {
	if geteuid() != 0 {
		return errors.New("not root: mounting the test filesystem with FUSE needs root")
	}
	return fuseAvailable()
}

// environ is inv.Env, or the process's environment if nil.
func (inv Invocation) environ() []string {
	if inv.Env == nil {
		return os.Environ()
	}
	return inv.Env
}

// path is p resolved against inv.Dir; with no Dir, or an absolute p, p
// as it is (the process's working directory then resolves it, and
// messages quote the user's spelling).
func (inv Invocation) path(p string) string {
	if inv.Dir == "" || p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(inv.Dir, p)
}

// lookPath finds COMMAND as a shell would, in inv: a name with a slash is
// a path (relative to inv.Dir), one without is looked up on inv.Env's
// PATH. As with exec.LookPath, a program found through a relative PATH
// entry (or an empty one, which is the working directory) is refused with
// exec.ErrDot, and the errors are *exec.Error. The path returned is
// absolute when inv.Dir is set.
func (inv Invocation) lookPath(name string) (string, error) {
	if inv.Dir == "" && inv.Env == nil {
		return exec.LookPath(name)
	}
	if strings.Contains(name, "/") {
		p := inv.path(name)
		if err := executable(p); err != nil {
			return "", &exec.Error{Name: name, Err: err}
		}
		return p, nil
	}
	search := ""
	for _, kv := range inv.environ() {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			search = v
		}
	}
	for _, dir := range filepath.SplitList(search) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if executable(inv.path(p)) != nil {
			continue
		}
		if !filepath.IsAbs(p) {
			return "", &exec.Error{Name: name, Err: exec.ErrDot}
		}
		return p, nil
	}
	return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
}

// executable is nil if p is a file (not a directory) with an execute bit.
func executable(p string) error {
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		return err
	case fi.IsDir():
		return syscall.EISDIR
	case fi.Mode()&0o111 == 0:
		return fs.ErrPermission
	}
	return nil
}
