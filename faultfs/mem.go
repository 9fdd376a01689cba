package faultfs

import (
	"io/fs"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Mem is an in-memory filesystem that records every operation that changes
// what is on disk, so that the states a crash could leave can be computed
// afterwards (see History and Enumerate).
//
// The current view is what a running program sees. The durable view is
// derived from the snapshot taken by MakeDurable plus the log of operations
// since, through the persistence model chosen when states are enumerated:
// Mem itself never forgets anything while running.
//
// Mem keeps every byte written since MakeDurable, since crash states are
// built from them; a write copies its bytes once, and the current view
// shares that copy with the log. Beyond a budget of data (WithDataBudget)
// the bytes are kept in a temporary file the kernel pages, so resident
// memory stays bounded however much is written (see mem_data_spill.go).
//
// Paths are slash-separated and relative to Mem's root: "a/b", "/a/b" and
// "./a/b" name the same file; "." and "/" name the root. Permission bits are
// stored and reported but not enforced (the process is treated as root).
// Mem is safe for concurrent use.
type Mem struct {
	mu      sync.Mutex
	root    *inode
	nextIno uint64
	nextDev uint64
	umask   fs.FileMode
	uid     int
	gid     int
	quota   int64 // 0: none
	used    int64 // data bytes held by the current view
	base    *snapshot
	log     []logOp
	clock   func() time.Time
	reuse   []logOp    // CloneReusing: the reference run's log (mem_data_reuse.go)
	data    dataSource // where file data memory comes from (mem_data_spill.go)
}

var (
	_ FS      = (*Mem)(nil)
	_ Umasker = (*Mem)(nil)
	_ Acker   = (*Mem)(nil)

	_ NoReplaceRenamer = (*Mem)(nil)
	_ Lchowner         = (*Mem)(nil)
	_ Chtimeser        = (*Mem)(nil)
	_ Lchtimeser       = (*Mem)(nil)
)

// MemOption configures a Mem.
type MemOption func(*Mem)

// WithUmask sets the mask applied to the permission bits of new files and
// directories (default 022).
func WithUmask(mask fs.FileMode) MemOption {
	return func(m *Mem) { m.umask = mask & fs.ModePerm }
}

// WithQuota limits the data bytes all files together may hold: a write past
// it fails with ENOSPC after writing what fits, as a full disk does.
func WithQuota(bytes int64) MemOption {
	return func(m *Mem) { m.quota = bytes }
}

// WithOwner sets the owner of new files (default: the process's uid and gid).
func WithOwner(uid, gid int) MemOption {
	return func(m *Mem) { m.uid, m.gid = uid, gid }
}

// inode is one file, directory, symbolic link or special file (FIFO,
// socket, device node) in the current view.
type inode struct {
	ino    uint64
	dev    uint64
	kind   fs.FileMode // 0, fs.ModeDir, fs.ModeSymlink or a special type (mem_special.go)
	mode   fs.FileMode // permission and special bits
	uid    int
	gid    int
	nlink  int
	rdev   uint64 // device node: the device it stands for
	atime  time.Time
	mtime  time.Time
	ctime  time.Time
	file   fileData // regular file: its bytes (see mem_data.go)
	data   []byte   // regular file: bytes handed over whole, taken into file at first use (see content)
	target string   // symbolic link
	dir    map[string]*inode
	parent *inode // directory: the directory holding it (root: itself)
}

func (n *inode) isDir() bool { return n.kind == fs.ModeDir }

// NewMem returns an empty in-memory filesystem whose root directory is
// already durable.
func NewMem(opts ...MemOption) *Mem {
	m := &Mem{umask: 0o022, nextIno: 1, nextDev: 1, clock: time.Now}
	m.uid, m.gid = max(os.Getuid(), 0), max(os.Getgid(), 0)
	m.data.init(m)
	for _, o := range opts {
		o(m)
	}
	m.root = m.newInode(fs.ModeDir, 0o755, 1)
	m.root.parent = m.root
	m.root.nlink = 2 // its "." and its entry in the directory above
	m.base = m.snapshotLocked()
	return m
}

func (m *Mem) newInode(kind, mode fs.FileMode, dev uint64) *inode {
	now := m.clock()
	n := &inode{ino: m.nextIno, dev: dev, kind: kind, mode: mode, uid: m.uid, gid: m.gid,
		atime: now, mtime: now, ctime: now}
	n.file.src = &m.data
	m.nextIno++
	if kind == fs.ModeDir {
		n.dir = map[string]*inode{}
	}
	return n
}

// Umask implements Umasker.
func (m *Mem) Umask() fs.FileMode { return m.umask }

// AddDevice makes the existing, empty directory dir the root of a device of
// its own: files created below it live on that device, and a rename or link
// between devices fails with EXDEV.
func (m *Mem) AddDevice(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.resolve("mount", dir, true)
	if err != nil {
		return err
	}
	if r.node == nil {
		return pathErr("mount", dir, syscall.ENOENT)
	}
	if !r.node.isDir() {
		return pathErr("mount", dir, syscall.ENOTDIR)
	}
	if len(r.node.dir) > 0 {
		return pathErr("mount", dir, syscall.EBUSY)
	}
	m.nextDev++
	r.node.dev = m.nextDev
	return nil
}

// MakeDurable makes everything in the current view durable, as if every
// file and directory had been synced, and restarts the op log empty.
// Harnesses call it after setting up a test's initial state.
func (m *Mem) MakeDurable() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.base = m.snapshotLocked()
	m.log = nil
	m.data.recount(m.base)
	m.data.trim()
}

// Log returns the operations that changed the disk since MakeDurable (or
// since NewMem), in the order they happened.
func (m *Mem) Log() []Op {
	m.mu.Lock()
	defer m.mu.Unlock()
	ops := make([]Op, len(m.log))
	for i := range m.log {
		ops[i] = m.log[i].op
	}
	return ops
}

// History returns an immutable record of the durable state at the last
// MakeDurable and the operations since; crash states are computed from it.
func (m *Mem) History() *History {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data.trim()
	return newHistory(m.base, m.log[:len(m.log):len(m.log)])
}

// resolved is the result of looking up a path.
type resolved struct {
	parent *inode // the directory that holds (or would hold) the last component
	name   string // the last component ("" for the root; "." or ".." if named so)
	node   *inode // what the name refers to, nil if absent
	slash  bool   // the path ends in a slash: it must name a directory
}

const maxSymlinkHops = 40

// splitPath splits a path into its components, keeping "." and ".." (which
// Linux checks like any other component: "f/." is ENOTDIR when f is a file).
func splitPath(name string) []string {
	parts := strings.Split(name, "/")
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// resolve looks up name, following symbolic links in every component but
// the last, and in the last too when follow is set (or when the name ends
// in a slash). A missing last component is not an error (node is nil); a
// missing directory on the way is ENOENT.
func (m *Mem) resolve(op, name string, follow bool) (resolved, error) {
	return m.resolveName(op, name, follow, false)
}

// resolveNew resolves the name of something to be created (a directory,
// a symbolic link, a hard link): as Linux does for those, the last
// component is never followed and, when it exists, is reported whatever
// it is, trailing slash or not (the caller answers EEXIST).
func (m *Mem) resolveNew(op, name string) (resolved, error) {
	return m.resolveName(op, name, false, true)
}

func (m *Mem) resolveName(op, name string, follow, create bool) (resolved, error) {
	if name == "" {
		return resolved{}, pathErr(op, name, syscall.ENOENT)
	}
	hops := 0
	trailingSlash := strings.HasSuffix(name, "/")
	parts := splitPath(name)
	cur := m.root
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		if !cur.isDir() {
			return resolved{}, pathErr(op, name, syscall.ENOTDIR)
		}
		if len(p) > 255 {
			return resolved{}, pathErr(op, name, syscall.ENAMETOOLONG)
		}
		if p == "." || p == ".." {
			if p == ".." {
				cur = cur.parent
			}
			if i == len(parts)-1 {
				return resolved{parent: cur.parent, name: p, node: cur, slash: trailingSlash}, nil
			}
			continue
		}
		next := cur.dir[p]
		last := i == len(parts)-1
		if next != nil && next.kind == fs.ModeSymlink && (!last || follow || trailingSlash && !create) {
			hops++
			if hops > maxSymlinkHops {
				return resolved{}, pathErr(op, name, syscall.ELOOP)
			}
			rest := append(splitPath(next.target), parts[i+1:]...)
			if strings.HasPrefix(next.target, "/") {
				cur = m.root
			}
			parts = rest
			i = -1
			continue
		}
		if last {
			if trailingSlash && next != nil && !next.isDir() && !create {
				return resolved{}, pathErr(op, name, syscall.ENOTDIR)
			}
			return resolved{parent: cur, name: p, node: next, slash: trailingSlash}, nil
		}
		if next == nil {
			return resolved{}, pathErr(op, name, syscall.ENOENT)
		}
		cur = next
	}
	return resolved{parent: cur.parent, name: "", node: cur, slash: trailingSlash}, nil
}

// isDot reports whether a resolved last component is the root, "." or
// "..": names that cannot be created, removed or renamed.
func (r resolved) isDot() bool { return r.name == "" || r.name == "." || r.name == ".." }

// lookup resolves name and requires it to exist.
func (m *Mem) lookup(op, name string, follow bool) (*inode, error) {
	r, err := m.resolve(op, name, follow)
	if err != nil {
		return nil, err
	}
	if r.node == nil {
		return nil, pathErr(op, name, syscall.ENOENT)
	}
	return r.node, nil
}

// sortedNames returns a directory's entry names in order.
func sortedNames(dir map[string]*inode) []string {
	names := make([]string, 0, len(dir))
	for n := range dir {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// content returns a regular file's bytes. An inode may be handed its bytes
// whole, in data (CrashState.Mem builds a Mem so); they become the file's
// pages here, shared, and data is cleared.
func (n *inode) content() *fileData {
	if n.data != nil {
		n.file.adopt(n.data)
		n.data = nil
	}
	return &n.file
}

// size returns a regular file's size in bytes.
func (n *inode) size() int64 { return n.content().size }

// resize sets n's size, zero-filling growth and keeping the quota's account.
func (m *Mem) resize(n *inode, size int64) {
	d := n.content()
	if n.nlink > 0 {
		// An unlinked file's space was given back when it lost its last
		// name (unlinkLocked): growing it afterwards is not charged, or
		// the charge would outlive the file.
		m.used += size - d.size
	}
	d.truncate(size)
}
