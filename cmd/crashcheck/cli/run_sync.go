//go:build linux

package cli

// sync(2) and syncfs(2) flush every file system (or one), but the kernel
// sends a FUSE server nothing for them: a program that ends with `sync`
// would look as if it never made anything durable. crashcheck observes
// them on COMMAND's process tree with a seccomp filter that returns
// SECCOMP_RET_USER_NOTIF for exactly these two system calls: the calling
// thread stops until crashcheck has recorded the barrier, then the call
// goes on (SECCOMP_USER_NOTIF_FLAG_CONTINUE) and does on the host what it
// always does. Why seccomp rather than ptrace: the filter is inherited by
// every process COMMAND starts, costs nothing on other system calls, and
// leaves the tree free to use ptrace itself (strace, gdb, a sandbox);
// ptrace would stop every thread at every system call or need a
// PTRACE_O_TRACESECCOMP filter anyway, plus following forks and clones.
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
	"strconv"
	"strings"
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
// sync filter installed, so that each of them, and everything they start,
// is observed.
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

// newFilteredStarter installs the filter on a thread of its own and
// returns the starter and the listener descriptor.
func newFilteredStarter() (*filteredStarter, int, error) {
	st := &filteredStarter{reqs: make(chan startReq)}
	ready := make(chan startResult, 1)
	go func() {
		// Never unlocked: the filtered thread ends with this goroutine.
		runtime.LockOSThread()
		fd, err := installSyncFilter()
		if err != nil {
			ready <- startResult{err: fmt.Errorf("observing sync(2): %w", err)}
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

// installSyncFilter installs, on the calling thread only, a filter that
// turns sync and syncfs into user notifications, and returns the listener.
func installSyncFilter() (int, error) {
	arch := auditArch()
	if arch == 0 {
		return -1, fmt.Errorf("no seccomp filter for %s", runtime.GOARCH)
	}
	const (
		ld  = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		ret = unix.BPF_RET | unix.BPF_K
	)
	// struct seccomp_data: int nr at 0, u32 arch at 4.
	prog := []unix.SockFilter{
		{Code: ld, K: 4},
		{Code: jeq, Jt: 0, Jf: 3, K: arch},
		{Code: ld, K: 0},
		{Code: jeq, Jt: 2, Jf: 0, K: unix.SYS_SYNC},
		{Code: jeq, Jt: 1, Jf: 0, K: unix.SYS_SYNCFS},
		{Code: ret, K: unix.SECCOMP_RET_ALLOW},
		{Code: ret, K: unix.SECCOMP_RET_USER_NOTIF},
	}
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

// syncWatcher answers the notifications of one listener until stopped.
type syncWatcher struct {
	fd      int
	mntIDs  []int
	barrier func(what string)
	stop    chan struct{}
	done    sync.WaitGroup
}

// watchSyncs takes the listener numbered fd in process pid and calls
// barrier for every sync, and every syncfs on a mount in mntIDs, of the
// processes it watches, before letting the call go on.
func watchSyncs(pid, fd int, mntIDs []int, barrier func(what string)) (*syncWatcher, error) {
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, fmt.Errorf("observing sync(2): pidfd_open: %w", err)
	}
	defer unix.Close(pidfd)
	lfd, err := unix.PidfdGetfd(pidfd, fd, 0)
	if err != nil {
		return nil, fmt.Errorf("observing sync(2): pidfd_getfd: %w", err)
	}
	w := &syncWatcher{fd: lfd, mntIDs: mntIDs, barrier: barrier, stop: make(chan struct{})}
	w.done.Add(1)
	go w.loop()
	return w, nil
}

func (w *syncWatcher) loop() {
	defer w.done.Done()
	for {
		select {
		case <-w.stop:
			return
		default:
		}
		pfd := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, 50)
		if err == unix.EINTR || n == 0 {
			continue
		}
		if err != nil || pfd[0].Revents&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0 && pfd[0].Revents&unix.POLLIN == 0 {
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
		case int(req.Nr) == unix.SYS_SYNC:
			w.barrier("sync")
		case int(req.Nr) == unix.SYS_SYNCFS && w.onMount(int(req.Pid), int(int32(req.Args[0]))):
			w.barrier("syncfs")
		}
		resp := seccompNotifResp{ID: req.ID, Flags: unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE}
		// ENOENT: the caller was killed meanwhile; nothing to answer.
		unix.Syscall(unix.SYS_IOCTL, uintptr(w.fd), unix.SECCOMP_IOCTL_NOTIF_SEND, uintptr(unsafe.Pointer(&resp)))
	}
}

// onMount reports whether descriptor fd of process pid lies on a mount
// of the test.
func (w *syncWatcher) onMount(pid, fd int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, fd))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "mnt_id:"); ok {
			id, _ := strconv.Atoi(strings.TrimSpace(v))
			for _, m := range w.mntIDs {
				if m == id {
					return true
				}
			}
		}
	}
	return false
}

// close stops answering and closes crashcheck's copy of the listener.
func (w *syncWatcher) close() {
	close(w.stop)
	w.done.Wait()
	unix.Close(w.fd)
}
