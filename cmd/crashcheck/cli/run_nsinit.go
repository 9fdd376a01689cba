//go:build linux

package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/crashcheck/crashcheck/faultfs/fuse"
	"golang.org/x/sys/unix"
)

// The namespace init is crashcheck itself, started again by crashcheck run
// with nsInitEnv set, as process 1 of a new PID namespace inside a new,
// private mount namespace (see startNamespace). It mounts each /dev/fuse
// connection it was given at its path, then runs the commands crashcheck
// asks for, one at a time, until its socket closes; then it exits.
//
// Why one long-lived init rather than a setns from a fresh process per
// check: a mount namespace lives as long as a process is in it, so the
// init is what keeps the mount; as PID 1 its death kills every process in
// the namespace (the kernel's rule for a PID namespace's init), which a
// setns'd process would not get, so nothing a command or a check left
// running survives the run. Killing the init (crashcheck does so on every
// exit path, and the kernel does through PR_SET_PDEATHSIG when crashcheck
// itself dies, even by SIGKILL) therefore ends every process and the mount
// with it: no stale mount can exist outside the namespace, since the mount
// was never in crashcheck's own one. Running a check is then one message,
// no exec of crashcheck.
//
// Descriptors: 3 is the socket to crashcheck (one JSON object a line each
// way), 4 and up the /dev/fuse connections, in the order of nsSetup.Paths.
const nsInitEnv = "CRASHCHECK_NAMESPACE_INIT"

const (
	nsSocketFD = 3
	nsFuseFD   = 4
)

// nsSetup is the first message: where to mount.
type nsSetup struct {
	Paths []string
	// RemoveDir is a temporary mount point the init removes if it is
	// told to end by a signal (crashcheck died: PR_SET_PDEATHSIG).
	RemoveDir string
	// Isolate makes every mount of the namespace read-only (but /dev,
	// /proc and /sys) before the test's own mounts are made.
	Isolate bool
}

// nsSetupReply says whether the mounts were made and their mount IDs
// (as /proc/self/mountinfo and fdinfo's mnt_id name them).
type nsSetupReply struct {
	Err    string
	MntIDs []int
}

// nsRequest asks the init to run one command.
type nsRequest struct {
	Argv    []string
	Env     []string
	Dir     string
	Capture bool          // collect stdout and stderr (first 4 KiB) instead of passing the init's own
	Timeout time.Duration // kill the command and everything else in the namespace after this long
	Stdin   bool          // give the command the init's stdin (else /dev/null)
	Cred    *nsCred       // run as this user (--user); nil: as the init, root
	// Sync installs a seccomp filter that reports every sync(2) and
	// syncfs(2) of the command's process tree (see run_sync.go); the init
	// sends nsReply{Listener: fd} first, then waits for nsRequest{Go: true}.
	Sync bool
	// Outside adds the path-changing calls to the filter (the listener
	// reports those outside the mounts: run_outside.go).
	Outside bool
	Go      bool
	// Ack gives the command a pipe as stdout, whose read end the init
	// names in nsReply{AckPipe: fd} before starting anything (with the
	// Listener, if Sync); crashcheck takes it and passes the output on.
	Ack bool
	// Start is a server (sh -c) started before the command and stopped
	// after it: SIGTERM to its process group, SIGKILL after StopTimeout.
	// The command starts once Ready (sh -c) exits 0, polled every 50 ms
	// for up to ReadyTimeout.
	Start, Ready              string
	ReadyTimeout, StopTimeout time.Duration
}

// nsReply is how a command ended; Listener messages come before it.
type nsReply struct {
	Listener  int    // a seccomp listener descriptor number in the init, 0 if none
	AckPipe   int    // the read end of the command's stdout in the init (Ack), 0 if none
	Server    string // how the server (Start) ended, if not as asked
	NotStart  string // the command did not start: why
	Exit      int    // exit status, -1 if killed
	Note      string // why it did not simply exit
	Output    []byte
	Unmounted []string // mounted paths that were gone when the command ended
	Outside   []string // files written outside the test's mounts (run_outside.go); crashcheck adds the other changes
}

func init() {
	if os.Getenv(nsInitEnv) == "" {
		return
	}
	os.Exit(nsInitMain())
}

// nsInitMain is the namespace init's whole life; it returns its exit status.
func nsInitMain() int {
	sock := os.NewFile(nsSocketFD, "crashcheck-socket")
	in := bufio.NewReader(sock)
	out := json.NewEncoder(sock)
	var setup nsSetup
	if err := readJSONLine(in, &setup); err != nil {
		return 3
	}
	// Told to end (crashcheck died, or a Ctrl-C reached the whole
	// foreground process group): end everything, leave nothing behind.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	var ending sync.Mutex // held by whichever ends the init
	go func() {
		<-sigs
		ending.Lock()
		nsCleanup(setup)
		os.Exit(4)
	}()
	defer func() {
		ending.Lock()
		nsCleanup(setup)
	}()
	nsDetachInherited()
	if setup.Isolate {
		if err := nsIsolate(); err != nil {
			out.Encode(nsSetupReply{Err: err.Error()})
			return 3
		}
	}
	// A proc file system of the namespace's own: its processes see their
	// own PIDs there, and crashcheck's server reads callers' groups there.
	if err := syscall.Mount("proc", "/proc", "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
		out.Encode(nsSetupReply{Err: "mounting /proc: " + err.Error()})
		return 3
	}
	ids, err := nsMount(setup.Paths)
	if err != nil {
		out.Encode(nsSetupReply{Err: err.Error()})
		return 3
	}
	outside := -1
	if !setup.Isolate {
		outside = watchOutside(setup.Paths)
	}
	if err := out.Encode(nsSetupReply{MntIDs: ids}); err != nil {
		return 3
	}
	for {
		var req nsRequest
		if err := readJSONLine(in, &req); err != nil {
			return 0
		}
		rep := nsRun(req, in, out)
		rep.Unmounted = nsMissing(setup.Paths, ids)
		rep.Outside = drainOutside(outside)
		if err := out.Encode(rep); err != nil {
			return 0
		}
	}
}

// nsCleanup kills every other process in the namespace, detaches the
// mounts and removes RemoveDir, which is then empty in every namespace.
func nsCleanup(setup nsSetup) {
	syscall.Kill(-1, syscall.SIGKILL)
	for i := len(setup.Paths) - 1; i >= 0; i-- {
		syscall.Unmount(setup.Paths[i], syscall.MNT_DETACH)
	}
	if setup.RemoveDir != "" {
		os.Remove(setup.RemoveDir)
	}
}

func readJSONLine(r *bufio.Reader, v any) error {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	return json.Unmarshal(line, v)
}

// nsMount mounts connection i at Paths[i] and returns the mount IDs.
func nsMount(paths []string) ([]int, error) {
	ids := make([]int, len(paths))
	for i, p := range paths {
		source, fstype, flags, data := fuse.MountData(nsFuseFD+i, fuse.Options{})
		if err := syscall.Mount(source, p, fstype, flags, data); err != nil {
			return nil, &os.PathError{Op: "mount", Path: p, Err: err}
		}
		id, err := mountID(p)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}

// nsIsolate makes every mount read-only, recursively, then /dev, /proc
// and /sys (pseudo file systems, no host files) writable again.
func nsIsolate() error {
	ro := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(-1, "/", unix.AT_RECURSIVE, ro); err != nil {
		return fmt.Errorf("-isolate: making / read-only: %w", err)
	}
	rw := &unix.MountAttr{Attr_clr: unix.MOUNT_ATTR_RDONLY}
	for _, p := range []string{"/dev", "/proc", "/sys"} {
		unix.MountSetattr(-1, p, unix.AT_RECURSIVE, rw)
	}
	return nil
}

// mountID finds the last mount at path in /proc/self/mountinfo (the top
// one), without touching the mount itself: its server may not be serving.
func mountID(path string) (int, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return 0, err
	}
	id := -1
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && unescapeMountinfo(f[4]) == path {
			id, _ = strconv.Atoi(f[0])
		}
	}
	if id < 0 {
		return 0, fmt.Errorf("%s: mounted, but not in /proc/self/mountinfo", path)
	}
	return id, nil
}

// unescapeMountinfo undoes mountinfo's octal escapes (\040 for a space).
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// nsMissing returns the paths whose mounts are no longer in mountinfo.
func nsMissing(paths []string, ids []int) []string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	present := map[int]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			id, _ := strconv.Atoi(f[0])
			present[id] = true
		}
	}
	var gone []string
	for i, id := range ids {
		if !present[id] {
			gone = append(gone, paths[i])
		}
	}
	return gone
}

// nsRun runs one command in its own process group and waits for it,
// reaping every other process that ends meanwhile (the init is their
// parent now); afterwards it kills whatever the command left running, so
// that each command starts alone. With Start, a server is started first
// and the command runs once Ready says it is up (run_server.go); the server
// is stopped after the command ends.
func nsRun(req nsRequest, in *bufio.Reader, out *json.Encoder) nsReply {
	attr := &os.ProcAttr{Dir: req.Dir, Env: req.Env, Sys: &syscall.SysProcAttr{Setpgid: true}}
	if c := req.Cred; c != nil {
		attr.Sys.Credential = &syscall.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups}
	}
	stdin := os.Stdin
	if !req.Stdin {
		null, err := os.Open(os.DevNull)
		if err != nil {
			return nsReply{NotStart: err.Error()}
		}
		defer null.Close()
		stdin = null
	}
	var capture *os.File
	done := make(chan []byte, 1)
	if req.Capture {
		r, w, err := os.Pipe()
		if err != nil {
			return nsReply{NotStart: err.Error()}
		}
		capture = w
		go func() {
			var b limitedBuffer
			buf := make([]byte, 32<<10)
			for {
				n, err := r.Read(buf)
				b.Write(buf[:n])
				if err != nil {
					break
				}
			}
			r.Close()
			done <- b.b
		}()
		attr.Files = []*os.File{stdin, w, w}
	} else {
		attr.Files = []*os.File{stdin, os.Stdout, os.Stderr}
		done <- nil
	}
	closeCapture := func() {
		if capture != nil {
			capture.Close()
			capture = nil
		}
	}
	defer closeCapture()
	// COMMAND's stdout, read by crashcheck itself (which takes the read
	// end with pidfd_getfd), so that each acknowledged line is marked in
	// the log the moment it is read.
	var ackR, ackW *os.File
	if req.Ack {
		r, w, err := os.Pipe()
		if err != nil {
			return nsReply{NotStart: err.Error()}
		}
		defer r.Close()
		ackR, ackW = r, w
		defer func() {
			if ackW != nil {
				ackW.Close()
			}
		}()
		attr.Files[1] = w
	}
	start := func(argv []string, attr *os.ProcAttr) (int, error) {
		p, err := os.StartProcess(argv[0], argv, attr)
		if err != nil {
			return 0, err
		}
		pid := p.Pid // Release forgets it
		p.Release()
		return pid, nil
	}
	if req.Sync || req.Outside || req.Ack {
		var hello nsReply
		if req.Sync || req.Outside {
			st, fd, err := newFilteredStarter(filteredCalls(req.Sync, req.Outside))
			if err != nil {
				return nsReply{NotStart: err.Error()}
			}
			defer st.close()
			start, hello.Listener = st.start, fd
		}
		if ackW != nil {
			hello.AckPipe = int(ackR.Fd())
		}
		if err := out.Encode(hello); err != nil {
			return nsReply{NotStart: err.Error()}
		}
		var goAhead nsRequest
		if err := readJSONLine(in, &goAhead); err != nil {
			return nsReply{NotStart: err.Error()}
		}
	}
	var srv *nsServer
	if req.Start != "" {
		var note string
		srv, note = startServer(req, attr, start)
		if note != "" {
			closeCapture()
			nsKillAll()
			return nsReply{NotStart: note, Output: <-done}
		}
	}
	pid, err := start(req.Argv, attr)
	closeCapture()
	if ackW != nil {
		ackW.Close()
		ackW = nil
	}
	if err != nil {
		nsKillAll()
		<-done
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nsReply{NotStart: err.Error()}
	}
	var timedOut atomic.Bool
	timer := time.AfterFunc(req.Timeout, func() {
		timedOut.Store(true)
		syscall.Kill(-pid, syscall.SIGKILL)
	})
	var ws syscall.WaitStatus
	for {
		wpid, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if srv != nil && wpid == srv.pid {
			srv.exited(ws)
			continue
		}
		if wpid == pid || err != nil {
			break
		}
	}
	timer.Stop()
	rep := nsReply{}
	if srv != nil {
		rep.Server = srv.stop(req.StopTimeout)
	}
	// Everything else in the namespace but the init goes too: the
	// command's own process group and any daemon it detached.
	nsKillAll()
	rep.Output = <-done
	switch {
	case timedOut.Load():
		rep.Exit, rep.Note = -1, fmt.Sprintf("timed out after %v; killed with its process group", req.Timeout)
	case ws.Signaled():
		rep.Exit, rep.Note = -1, fmt.Sprintf("killed by %v", ws.Signal())
	default:
		rep.Exit = ws.ExitStatus()
	}
	return rep
}

// nsKillAll kills every process in the namespace but the init and reaps them.
func nsKillAll() {
	syscall.Kill(-1, syscall.SIGKILL)
	for {
		var other syscall.WaitStatus
		if _, err := syscall.Wait4(-1, &other, 0, nil); err == syscall.ECHILD {
			break
		}
	}
}
