//go:build linux

package cli

// sync(2) and syncfs(2) flush every file system (or one), but the kernel
// sends a FUSE server nothing for them: a program that ends with `sync`
// would look as if it never made anything durable. crashcheck observes
// them on COMMAND's process tree with a seccomp filter that returns
// SECCOMP_RET_USER_NOTIF for these two system calls: the calling thread
// stops until crashcheck has recorded the barrier, then the call goes on
// (SECCOMP_USER_NOTIF_FLAG_CONTINUE) and does on the host what it always
// does. Without --isolate the same filter, on COMMAND's tree and each
// check's, also notifies the calls that change names and metadata, so
// that those outside the mounts are reported (run_outside.go). Why
// seccomp rather than ptrace: the filter is inherited by every process
// COMMAND starts, costs nothing on other system calls, and leaves the
// tree free to use ptrace itself (strace, gdb, a sandbox); ptrace would
// stop every thread at every system call or need a PTRACE_O_TRACESECCOMP
// filter anyway, plus following forks and clones.
//
// The namespace init installs the filter on a thread locked for the
// purpose, starts COMMAND from that thread (a filter is inherited across
// fork and exec), and never unlocks it, so the Go runtime ends the thread
// with its goroutine. crashcheck takes the listener descriptor out of the
// init with pidfd_getfd(2) (root may), which needs no descriptor passing
// over the socket.
//
// fsync(2) and fdatasync(2) of files on the mount do reach the server; of
// files elsewhere they concern no file of the test, so they are not
// observed. syncfs(fd) is a barrier only when fd lies on one of the
// mounts (its mnt_id in /proc/PID/fdinfo says so).

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// auditArch is this architecture's AUDIT_ARCH value, 0 if the filter is
// not built for it.
func auditArch() uint32 {
	switch runtime.GOARCH {
	case "amd64":
		return unix.AUDIT_ARCH_X86_64
	case "arm64":
		return unix.AUDIT_ARCH_AARCH64
	}
	return 0
}

// filteredStarter starts processes from one locked thread that has the
// filter installed, so that each of them, and everything they start, is
// observed.
type filteredStarter struct {
	reqs chan startReq
}

type startReq struct {
	argv []string
	attr *os.ProcAttr
	done chan startResult
}

type startResult struct {
	pid int
	err error
}

// newFilteredStarter installs a filter notifying the system calls nrs on
// a thread of its own and returns the starter and the listener descriptor.
func newFilteredStarter(nrs []int) (*filteredStarter, int, error) {
	st := &filteredStarter{reqs: make(chan startReq)}
	ready := make(chan startResult, 1)
	go func() {
		// Never unlocked: the filtered thread ends with this goroutine.
		runtime.LockOSThread()
		fd, err := installFilter(nrs)
		if err != nil {
			ready <- startResult{err: fmt.Errorf("observing sync(2) and changes outside the mounts: %w", err)}
			return
		}
		defer syscall.Close(fd)
		ready <- startResult{pid: fd}
		for r := range st.reqs {
			p, err := os.StartProcess(r.argv[0], r.argv, r.attr)
			if err != nil {
				r.done <- startResult{err: err}
				continue
			}
			r.done <- startResult{pid: p.Pid}
			p.Release()
		}
	}()
	res := <-ready
	if res.err != nil {
		return nil, 0, res.err
	}
	return st, res.pid, nil
}

// start starts argv with attr on the filtered thread.
func (st *filteredStarter) start(argv []string, attr *os.ProcAttr) (int, error) {
	done := make(chan startResult, 1)
	st.reqs <- startReq{argv: argv, attr: attr, done: done}
	r := <-done
	return r.pid, r.err
}

// close ends the filtered thread and closes the listener.
func (st *filteredStarter) close() { close(st.reqs) }

// filteredCalls are the system calls a filter notifies: sync and syncfs
// if sync, the path-changing calls (run_outside_calls.go) if outside.
func filteredCalls(sync, outside bool) []int {
	var nrs []int
	if sync {
		nrs = append(nrs, unix.SYS_SYNC, unix.SYS_SYNCFS)
	}
	if outside {
		nrs = append(nrs, outsideCalls()...)
	}
	return nrs
}

// installFilter installs, on the calling thread only, a filter that turns
// the system calls nrs into user notifications, and returns the listener.
// The kernel sees that the filter's answer depends on the call's number
// alone and lets every other call through without running it.
func installFilter(nrs []int) (int, error) {
	arch := auditArch()
	if arch == 0 {
		return -1, fmt.Errorf("no seccomp filter for %s", runtime.GOARCH)
	}
	if len(nrs) == 0 || len(nrs) > 250 {
		return -1, fmt.Errorf("a filter of %d system calls", len(nrs))
	}
	const (
		ld  = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		ret = unix.BPF_RET | unix.BPF_K
	)
	// struct seccomp_data: int nr at 0, u32 arch at 4. Another
	// architecture's calls (32-bit ones on amd64) go through: their
	// numbers differ.
	n := uint8(len(nrs))
	prog := []unix.SockFilter{
		{Code: ld, K: 4},
		{Code: jeq, Jt: 0, Jf: 1 + n, K: arch},
		{Code: ld, K: 0},
	}
	for i, nr := range nrs {
		prog = append(prog, unix.SockFilter{Code: jeq, Jt: n - uint8(i), Jf: 0, K: uint32(nr)})
	}
	prog = append(prog,
		unix.SockFilter{Code: ret, K: unix.SECCOMP_RET_ALLOW},
		unix.SockFilter{Code: ret, K: unix.SECCOMP_RET_USER_NOTIF})
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	fd, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// seccompNotif is struct seccomp_notif with its struct seccomp_data.
type seccompNotif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Nr    int32
	Arch  uint32
	IP    uint64
	Args  [6]uint64
}

// seccompNotifResp is struct seccomp_notif_resp.
type seccompNotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// callWatcher answers the notifications of one listener until stopped.
// Its goroutine runs on a thread of its own in the callers' mount
// namespace, so that an absolute path or symlink resolves there as it
// does for them; it reaches crashcheck's /proc (whose PIDs the
// notifications give) through procfd.
type callWatcher struct {
	fd      int
	procfd  int
	home    int // crashcheck's mount namespace, to return to
	mntIDs  []int
	barrier func(what string) // nil: sync and syncfs are not barriers
	stop    int               // an eventfd: readable once close is called
	done    sync.WaitGroup
	// Written by the loop alone; read once it has ended.
	outside outsideSet
	buf     []byte // readString's
}

// watchCalls takes the listener numbered fd in process pid and, for the
// processes it watches, calls barrier for every sync and every syncfs on
// a mount in mntIDs, and records the paths outside those mounts that
// path-changing calls change, before letting each call go on.
func watchCalls(pid, fd int, mntIDs []int, barrier func(what string)) (*callWatcher, error) {
	w := &callWatcher{fd: -1, procfd: -1, home: -1, stop: -1, mntIDs: mntIDs, barrier: barrier}
	started := make(chan error, 1)
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		// Never unlocked: the thread leaves crashcheck's namespace, and
		// ends with this goroutine.
		runtime.LockOSThread()
		if err := w.open(pid, fd); err != nil {
			w.closeFDs()
			started <- fmt.Errorf("observing sync(2) and changes outside the mounts: %w", err)
			return
		}
		started <- nil
		w.loop()
		// Leave the namespace before the thread ends: a thread in it
		// keeps its mounts alive, and the thread may never end (were it
		// the main thread, the Go runtime parks it for good).
		unix.Setns(w.home, unix.CLONE_NEWNS)
	}()
	if err := <-started; err != nil {
		w.done.Wait()
		return nil, err
	}
	return w, nil
}

// open takes the listener and enters pid's mount namespace.
func (w *callWatcher) open(pid, fd int) error {
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return fmt.Errorf("pidfd_open: %w", err)
	}
	defer unix.Close(pidfd)
	if w.fd, err = unix.PidfdGetfd(pidfd, fd, 0); err != nil {
		return fmt.Errorf("pidfd_getfd: %w", err)
	}
	// The caller and crashcheck take turns: the kernel then switches
	// between them on one CPU rather than waking the other on another
	// (Linux 6.6; before, the ioctl fails and the round trip is slower).
	unix.Syscall(unix.SYS_IOCTL, uintptr(w.fd), unix.SECCOMP_IOCTL_NOTIF_SET_FLAGS, unix.SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP)
	if w.stop, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return fmt.Errorf("eventfd: %w", err)
	}
	if w.procfd, err = unix.Open("/proc", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
		return err
	}
	if w.home, err = unix.Open("/proc/thread-self/ns/mnt", unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
		return err
	}
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare: %w", err)
	}
	if err := unix.Setns(pidfd, unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("setns: %w", err)
	}
	return nil
}

func (w *callWatcher) closeFDs() {
	for _, fd := range []int{w.fd, w.procfd, w.home, w.stop} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}

func (w *callWatcher) loop() {
	for {
		pfd := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLIN}, {Fd: int32(w.stop), Events: unix.POLLIN}}
		_, err := unix.Poll(pfd, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || pfd[1].Revents != 0 || pfd[0].Revents&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0 && pfd[0].Revents&unix.POLLIN == 0 {
			return
		}
		var req seccompNotif
		if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(w.fd), unix.SECCOMP_IOCTL_NOTIF_RECV, uintptr(unsafe.Pointer(&req))); errno != 0 {
			if errno == unix.EINTR || errno == unix.ENOENT {
				continue
			}
			return
		}
		switch {
		case w.barrier != nil && int(req.Nr) == unix.SYS_SYNC:
			w.barrier("sync")
		case w.barrier != nil && int(req.Nr) == unix.SYS_SYNCFS && w.onMount(int(req.Pid), int(int32(req.Args[0]))):
			w.barrier("syncfs")
		default:
			w.recordOutside(&req)
		}
		resp := seccompNotifResp{ID: req.ID, Flags: unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE}
		// ENOENT: the caller was killed meanwhile; nothing to answer.
		unix.Syscall(unix.SYS_IOCTL, uintptr(w.fd), unix.SECCOMP_IOCTL_NOTIF_SEND, uintptr(unsafe.Pointer(&resp)))
	}
}

// onMount reports whether descriptor fd of thread tid lies on a mount
// of the test.
func (w *callWatcher) onMount(tid, fd int) bool {
	var stx unix.Statx_t
	err := unix.Statx(w.procfd, strconv.Itoa(tid)+"/fd/"+strconv.Itoa(fd), unix.AT_STATX_DONT_SYNC, unix.STATX_MNT_ID, &stx)
	return err == nil && slices.Contains(w.mntIDs, int(stx.Mnt_id))
}

// close stops answering and closes crashcheck's copy of the listener;
// then w.outside is complete.
func (w *callWatcher) close() {
	unix.Write(w.stop, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	w.done.Wait()
	w.closeFDs()
}
