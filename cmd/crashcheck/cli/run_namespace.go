//go:build linux

package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// namespace is crashcheck's side of a namespace init (run_nsinit.go): the
// process, its socket, and the mount IDs of the connections it mounted.
type namespace struct {
	cmd    *exec.Cmd
	sock   *os.File
	in     *bufio.Reader
	out    *json.Encoder
	mntIDs []int
	exited chan struct{} // closed when the init has been waited for
	mu     sync.Mutex
	killed bool

	// isolate: the rest is read-only (--isolate); else changes outside
	// the mounts are watched (run_outside.go)
	isolate bool
}

// startNamespace starts the init in a new mount and PID namespace, with
// devs[i] mounted at paths[i] there, and the init's standard streams
// crashcheck's (COMMAND gets them). The init is told to end when
// crashcheck's thread that started it dies (PR_SET_PDEATHSIG), so that thread is locked until the
// init has been waited for.
func startNamespace(paths []string, removeDir string, isolate bool, devs []*os.File, stdin io.Reader, stdout, stderr io.Writer) (*namespace, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socketpair: %w", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "namespace-socket"), os.NewFile(uintptr(fds[1]), "namespace-socket")
	defer theirs.Close()
	exe, err := os.Executable()
	if err != nil {
		mine.Close()
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Args = []string{"crashcheck-namespace"}
	cmd.Env = []string{nsInitEnv + "=1"}
	cmd.Dir = "/"
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	// A stdin that is not a file is copied in by a goroutine; do not let
	// it hold up Wait once the init is gone.
	cmd.WaitDelay = time.Second
	cmd.ExtraFiles = append([]*os.File{theirs}, devs...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWPID,
		// With CLONE_NEWNS, Go also makes / recursively private in the
		// child before exec: nothing mounted there propagates back.
		Unshareflags: syscall.CLONE_NEWNS,
		// SIGTERM, not SIGKILL: the init then also removes a temporary
		// mount point. As process 1 of its PID namespace it gets only
		// signals it handles, and it handles this one.
		Pdeathsig: syscall.SIGTERM,
	}
	ns := &namespace{cmd: cmd, sock: mine, in: bufio.NewReader(mine), out: json.NewEncoder(mine), exited: make(chan struct{})}
	startErr := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			startErr <- err
			return
		}
		startErr <- nil
		cmd.Wait()
		close(ns.exited)
	}()
	if err := <-startErr; err != nil {
		mine.Close()
		return nil, fmt.Errorf("starting the namespace: %w", err)
	}
	var rep nsSetupReply
	if err := ns.out.Encode(nsSetup{Paths: paths, RemoveDir: removeDir, Isolate: isolate}); err == nil {
		err = readJSONLine(ns.in, &rep)
		if err != nil {
			rep.Err = "the namespace init ended before mounting"
		}
	} else {
		rep.Err = err.Error()
	}
	if rep.Err != "" {
		ns.close()
		return nil, errors.New(rep.Err)
	}
	ns.mntIDs, ns.isolate = rep.MntIDs, isolate
	return ns, nil
}

// run runs req in the namespace. With sync, every sync(2) of the command's
// tree, and syncfs(2) on a mount, calls barrier first. Unless isolated,
// the reply's Outside has the paths outside the mounts the command
// changed: written (the init's fanotify) or renamed, removed, created,
// chmod'ed and the like (the seccomp filter). With stdout, the
// command's standard output comes to stdout, a line at a time, as it is
// read (run_ack.go); run returns once all of it has. An error means the
// init is gone (killed, by a signal to crashcheck, say).
func (ns *namespace) run(req nsRequest, barrier func(string), stdout func(line []byte)) (nsReply, error) {
	req.Sync = barrier != nil
	req.Outside = !ns.isolate && auditArch() != 0
	req.Ack = stdout != nil
	if err := ns.out.Encode(req); err != nil {
		return nsReply{}, err
	}
	var w *callWatcher
	var lines *lineReader
	defer func() {
		if w != nil {
			w.close()
		}
		if lines != nil {
			lines.close()
		}
	}()
	for {
		var rep nsReply
		if err := readJSONLine(ns.in, &rep); err != nil {
			return nsReply{}, fmt.Errorf("the namespace init ended: %w", err)
		}
		if rep.Listener == 0 && rep.AckPipe == 0 {
			if lines != nil {
				lines.wait(5 * time.Second)
			}
			if w != nil {
				w.close()
				rep.Outside = mergeOutside(rep.Outside, w.outside)
				w = nil
			}
			return rep, nil
		}
		var err error
		if rep.AckPipe != 0 {
			lines, err = readLines(ns.cmd.Process.Pid, rep.AckPipe, stdout)
		}
		if err == nil && rep.Listener != 0 {
			w, err = watchCalls(ns.cmd.Process.Pid, rep.Listener, ns.mntIDs, barrier)
		}
		if err != nil {
			ns.kill()
			return nsReply{NotStart: err.Error()}, nil
		}
		if err := ns.out.Encode(nsRequest{Go: true}); err != nil {
			return nsReply{}, err
		}
	}
}

// kill ends the init, and with it every process in the namespace and the
// mounts; it does not wait.
func (ns *namespace) kill() {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if !ns.killed && ns.cmd.Process != nil {
		ns.cmd.Process.Signal(syscall.SIGKILL)
		ns.killed = true
	}
}

// close ends the init and waits for it.
func (ns *namespace) close() {
	ns.sock.Close() // the init exits when its socket closes...
	ns.kill()       // ...but need not be asked
	<-ns.exited
}

// describeUnmounted is the one line for a command that unmounted paths.
func describeUnmounted(who string, paths []string) string {
	return fmt.Sprintf("%s unmounted the test filesystem at %s; the run cannot go on", who, strings.Join(paths, ", "))
}
