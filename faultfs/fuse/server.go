//go:build linux

package fuse

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// Options configure a mount.
type Options struct {
	// ReadOnly refuses every change with EROFS, as a read-only mount does.
	// Switch keeps this setting; SwitchReadOnly overrides it per tree.
	ReadOnly bool
	// Debug logs every FUSE request and reply to standard error.
	Debug bool
	// MaxWrite is the largest WRITE the kernel sends; a program's larger
	// write arrives split into writes of this size. Zero means 1 MiB.
	MaxWrite int
	// ProcDir is the proc filesystem in which callers' process IDs are
	// read (for their supplementary groups: see owner.go); "" means
	// /proc. A connection mounted in another PID namespace gets its
	// callers' IDs as that namespace numbers them: name a proc
	// filesystem mounted there (/proc/PID/root/proc of a process in it).
	ProcDir string
	// AllUsers lets every user use a mount made by Mount, with the
	// kernel checking permissions against the modes and owners the FS
	// reports (allow_other, default_permissions; see owner.go). A mount
	// made from MountData always has both. Beware, with Mount: a
	// process that starts a program with its working directory on its
	// own mount (exec.Cmd.Dir) can then deadlock, since the child's
	// chdir waits for a permission check that the parent's server must
	// answer while the Go runtime may be stopped for the fork (start
	// such programs with a cd, or mount from another process and Serve).
	// Without root, allow_other needs user_allow_other in /etc/fuse.conf.
	AllUsers bool
}

// Server is a mounted FS. Its methods are safe for concurrent use.
type Server struct {
	dir  string
	opts Options
	fuse *fuse.Server
	dev  *os.File // the connection Serve serves, nil after Mount

	open atomic.Int64 // files open through the mount

	mu        sync.Mutex // serialises Switch and Unmount
	gen       uint64
	view      atomic.Pointer[view]
	unmounted bool
}

// view is one tree the server serves: nodes looked up in it keep using it
// after a switch, so that descriptors and working directories opened
// before the switch keep the old tree.
type view struct {
	fsys     faultfs.FS
	readOnly bool
	gen      uint64
}

// ErrUnavailable is wrapped by Mount's error when this machine cannot
// mount FUSE filesystems (no /dev/fuse, or not allowed to).
var ErrUnavailable = errors.New("FUSE unavailable")

// Available reports why FUSE filesystems cannot be mounted here, or nil if
// they can: /dev/fuse must be readable and writable, and without root a
// fusermount3 or fusermount helper must be installed.
func Available() error {
	f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	f.Close()
	if os.Geteuid() != 0 {
		for _, dir := range []string{"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin"} {
			for _, name := range []string{"fusermount3", "fusermount"} {
				if _, err := os.Stat(dir + "/" + name); err == nil {
					return nil
				}
			}
		}
		return fmt.Errorf("%w: not root and no fusermount3 helper installed", ErrUnavailable)
	}
	return nil
}

// Mount serves fsys at dir, which must be an existing directory, until
// Unmount. Every open is direct I/O and every timeout zero, so each
// operation a program makes on the mount reaches fsys (see the package
// documentation). As root it mounts with mount(2) itself; otherwise it
// needs the fusermount3 helper.
func Mount(dir string, fsys faultfs.FS, opts Options) (*Server, error) {
	if err := Available(); err != nil {
		return nil, &os.PathError{Op: "mount", Path: dir, Err: err}
	}
	s := newServer(dir, fsys, opts)
	fo := s.fuseOptions()
	fo.MountOptions.DirectMount = true
	fo.MountOptions.DirectMountStrict = os.Geteuid() == 0
	if opts.AllUsers {
		fo.MountOptions.AllowOther = true
		fo.MountOptions.Options = append(fo.MountOptions.Options, "default_permissions")
	}
	srv, err := gofs.Mount(dir, &node{srv: s}, fo)
	if err != nil {
		return nil, &os.PathError{Op: "mount", Path: dir, Err: err}
	}
	s.fuse = srv
	CloseFuseOnExec()
	// The first ACCESS answer (ENOSYS) tells the kernel to stop asking:
	// afterwards chdir into the mount needs no reply from this process,
	// which it could not give while it is forking a child that chdirs
	// there (a vfork child blocks its parent's thread, and a garbage
	// collection waiting for that thread would stop the server).
	syscall.Access(dir, unix.X_OK)
	return s, nil
}

// Serve serves fsys on dev, an open /dev/fuse that another process has
// mounted at dir (in its own mount namespace, typically: see MountData),
// until that mount goes away. The server never mounts or unmounts
// anything itself, so no process of this one can deadlock on the mount;
// Unmount only waits for the mount to go, and Wait for the serving to end.
// dir is what Dir reports.
//
// Serve does not take dev: it serves a duplicate of its descriptor, which
// it closes itself when the serving ends, and the caller closes dev when
// it likes (after Unmount, typically). Were both to own one descriptor
// number, the second close would close whatever file had reused the
// number in the meantime: another mount's connection, in a process
// serving several at once.
func Serve(dev *os.File, dir string, fsys faultfs.FS, opts Options) (*Server, error) {
	s := newServer(dir, fsys, opts)
	s.dev = dev
	fo := s.fuseOptions()
	fd, err := unix.FcntlInt(dev.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "serve", Path: dir, Err: err}
	}
	// go-fuse takes a mount point of the form /dev/fd/N as a connection
	// some other process has mounted, and owns N from then on.
	magic := "/dev/fd/" + strconv.Itoa(fd)
	srv, err := fuse.NewServer(gofs.NewNodeFS(&node{srv: s}, fo), magic, &fo.MountOptions)
	if err != nil {
		// go-fuse has closed fd if it got as far as reading from it;
		// closing it here could close another file: leave it.
		return nil, &os.PathError{Op: "serve", Path: dir, Err: err}
	}
	s.fuse = srv
	go srv.Serve()
	return s, nil
}

// MountData is what mount(2) needs to mount a connection Serve serves with
// opts, whose /dev/fuse is descriptor fd in the mounting process, by root:
// the source, file system type, flags and data arguments. Any user may use
// the mount, and the kernel checks permissions (allow_other,
// default_permissions: see owner.go).
func MountData(fd int, opts Options) (source, fstype string, flags uintptr, data string) {
	return "crashcheck", "fuse.crashcheck", syscall.MS_NOSUID | syscall.MS_NODEV,
		fmt.Sprintf("fd=%d,rootmode=40000,user_id=%d,group_id=%d,max_read=%d,allow_other,default_permissions",
			fd, os.Geteuid(), os.Getegid(), maxWrite(opts))
}

func maxWrite(opts Options) int {
	if opts.MaxWrite <= 0 {
		return 1 << 20
	}
	return opts.MaxWrite
}

func newServer(dir string, fsys faultfs.FS, opts Options) *Server {
	s := &Server{dir: dir, opts: opts, gen: 1}
	s.view.Store(&view{fsys: fsys, readOnly: opts.ReadOnly, gen: s.gen})
	return s
}

// fuseOptions are the options of every mount: direct I/O, zero timeouts.
func (s *Server) fuseOptions() *gofs.Options {
	zero := time.Duration(0)
	return &gofs.Options{
		MountOptions: fuse.MountOptions{
			FsName:   "crashcheck",
			Name:     "crashcheck",
			MaxWrite: maxWrite(s.opts),
			Debug:    s.opts.Debug,
			// Shared mmap on a direct-I/O file (SQLite's WAL index).
			ExtraCapabilities: fuse.CAP_DIRECT_IO_ALLOW_MMAP,
			// Nothing may stand between the program and the FS.
			DisabledCapabilities: fuse.CAP_WRITEBACK_CACHE | fuse.CAP_PASSTHROUGH |
				fuse.CAP_ATOMIC_O_TRUNC,
		},
		EntryTimeout:    &zero,
		AttrTimeout:     &zero,
		NegativeTimeout: &zero,
		NullPermissions: true,
		RootStableAttr:  &gofs.StableAttr{Ino: 1},
	}
}

// CloseFuseOnExec marks every /dev/fuse descriptor of this process
// close-on-exec. Mount calls it; so must any other server of this process
// that mounts with go-fuse directly (faultfs/blockdev). go-fuse v2.12.1 leaves the one it opens for a direct
// mount inheritable, so every program started afterwards would hold the
// connection open: a child stuck on the mount would then keep itself
// stuck after the server is gone.
func CloseFuseOnExec() {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && target == "/dev/fuse" {
			syscall.CloseOnExec(fd)
		}
	}
}

// Dir returns the mount point.
func (s *Server) Dir() string { return s.dir }

// Switch makes the mount serve fsys from now on, writable unless the
// mount's Options.ReadOnly is set. Names resolved after Switch returns see
// fsys; descriptors opened before keep the files they had.
func (s *Server) Switch(fsys faultfs.FS) { s.switchTo(fsys, s.opts.ReadOnly) }

// SwitchReadOnly is Switch, with every change to fsys through the mount
// refused with EROFS.
func (s *Server) SwitchReadOnly(fsys faultfs.FS) { s.switchTo(fsys, true) }

func (s *Server) switchTo(fsys faultfs.FS, readOnly bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	s.view.Store(&view{fsys: fsys, readOnly: readOnly, gen: s.gen})
}

// WaitClosed waits until no file is open through the mount, or timeout
// has passed, and reports whether none is. close(2) returns before the
// kernel releases the file, so after a program exits its files reach
// the FS's File.Close a moment later: wait for that before reading a
// record of the program's operations.
func (s *Server) WaitClosed(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for s.open.Load() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(200 * time.Microsecond)
	}
	return true
}

// FS returns the tree being served.
func (s *Server) FS() faultfs.FS { return s.view.Load().fsys }

// Unmount removes the mount. If a process still uses it, Unmount retries
// for a moment and then detaches it lazily (the mount point is free at
// once, the kernel drops the mount when its last user goes) and reports
// that it had to. Calling it again is a no-op. On a Server from Serve it
// waits up to 5 seconds for the mounting side to remove the mount, and
// then gives up waiting and says so: the connection is served until the
// kernel drops the mount (its descriptor is Serve's, not the caller's to
// close).
func (s *Server) Unmount() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unmounted {
		return nil
	}
	if s.dev != nil {
		s.unmounted = true
		done := make(chan struct{})
		go func() { s.fuse.Wait(); close(done) }()
		select {
		case <-done:
			return nil
		case <-time.After(5 * time.Second):
		}
		return &os.PathError{Op: "unmount", Path: s.dir, Err: errors.New("still mounted 5s after its namespace was asked to end; served until the kernel drops it")}
	}
	err := s.fuse.Unmount()
	if err == nil {
		s.unmounted = true
		return nil
	}
	if derr := syscall.Unmount(s.dir, syscall.MNT_DETACH); derr != nil {
		return &os.PathError{Op: "unmount", Path: s.dir, Err: err}
	}
	s.unmounted = true
	return &os.PathError{Op: "unmount", Path: s.dir,
		Err: fmt.Errorf("busy, detached lazily: %w", err)}
}
