package faultfs

import (
	"fmt"
	"io/fs"
	"math/bits"
	"slices"
	"strings"
	"syscall"
	"time"
)

// CrashState is one state a disk could hold after a crash: the durable
// state plus a choice of the operations still pending at the crash point.
// A CrashState passed to an Enumerate callback is valid only during the
// callback (it is reused for the next state); call Mem to keep it.
//
// Its methods read the state like an FS reads a disk, following symbolic
// links; errors are *fs.PathError wrapping syscall.Errno.
type CrashState struct {
	h     *History
	p     *plan
	model string
	kept  []uint64 // bitset over p's units

	deltas    inoCache[[]uint64] // per directory of p.deltas: its names' inodes here (0: none)
	deltaPool [][]uint64
	dirs      inoCache[[]dirent] // directories listed whole (entries)
	dirPool   [][]dirent
	files     inoCache[*fileView]
	pool      []*fileView
	npool     int
	parents   []uint64 // lookup's stack of directories, reused
	keyer     keyer
}

// fileView is an inode as a crash state has it.
type fileView struct {
	n        *snapInode // what the history knows of it at the start
	mode     fs.FileMode
	uid, gid int
	cb       contentBuilder
}

func newCrashState(h *History, p *plan, model string) *CrashState {
	return &CrashState{h: h, p: p, model: model}
}

// reset makes s the state that keeps the units set in kept (nil: none).
func (s *CrashState) reset(kept []uint64) {
	s.kept = kept
	s.deltas.each(func(ino uint64, v []uint64) { s.deltaPool = append(s.deltaPool, v[:0]) })
	s.dirs.each(func(ino uint64, e []dirent) {
		if d := s.p.deltas[ino]; d != nil { // a merged list of its own, not the reference's
			s.dirPool = append(s.dirPool, e[:0])
		}
	})
	s.deltas.reset()
	s.dirs.reset()
	s.files.reset()
	s.npool = 0
}

func (s *CrashState) applied(it item) bool {
	return it.unit < 0 || s.kept != nil && s.kept[it.unit>>6]&(1<<(it.unit&63)) != 0
}

// Point returns the crash point: the state is of a crash after the first
// Point() operations of the history.
func (s *CrashState) Point() int { return s.p.point }

// Acks returns the acknowledgements made before the state's crash point:
// History.AcksBefore(Point()). The slice is shared: do not modify it.
func (s *CrashState) Acks() []AckMark { return s.h.AcksBefore(s.p.point) }

// Model returns the name of the persistence model the state comes from.
func (s *CrashState) Model() string { return s.model }

// child returns the inode name refers to in directory dir in this state.
func (s *CrashState) child(dir uint64, name string) (uint64, bool) {
	if d := s.p.deltas[dir]; d != nil {
		if i, ok := slices.BinarySearch(d.names, name); ok {
			ino := s.delta(dir, d)[i]
			return ino, ino != 0
		}
	}
	return keyRef{h: s.h, b: s.p.base}.child(dir, name)
}

// delta returns the inodes d's names refer to in directory dir in this
// state: the reference's, with the applied items' effects.
func (s *CrashState) delta(dir uint64, d *dirDelta) []uint64 {
	if v, ok := s.deltas.get(dir); ok {
		return v
	}
	var v []uint64
	if n := len(s.deltaPool); n > 0 {
		v, s.deltaPool = s.deltaPool[n-1], s.deltaPool[:n-1]
	}
	v = append(v, d.ref...)
	for _, st := range d.steps {
		it := s.p.items[st.item]
		if !s.applied(it) {
			continue
		}
		ino := s.h.ops[it.op].ino
		if st.rm >= 0 && v[st.rm] == ino {
			v[st.rm] = 0
		}
		if st.set >= 0 {
			v[st.set] = ino
		}
	}
	s.deltas.put(dir, v)
	return v
}

// entries returns directory dir's entries in this state, sorted by name:
// the reference's, merged with its delta. It costs the directory's size:
// lookups use child.
func (s *CrashState) entries(dir uint64) []dirent {
	if e, ok := s.dirs.get(dir); ok {
		return e
	}
	ref := keyRef{h: s.h, b: s.p.base}.allEntries(dir)
	d := s.p.deltas[dir]
	if d == nil {
		s.dirs.put(dir, ref)
		return ref
	}
	v := s.delta(dir, d)
	var e []dirent
	if n := len(s.dirPool); n > 0 {
		e, s.dirPool = s.dirPool[n-1], s.dirPool[:n-1]
	}
	i, j := 0, 0
	for i < len(ref) || j < len(d.names) {
		switch {
		case j == len(d.names) || i < len(ref) && ref[i].name < d.names[j]:
			e = append(e, ref[i])
			i++
		default:
			if i < len(ref) && ref[i].name == d.names[j] {
				i++
			}
			if v[j] != 0 {
				e = append(e, dirent{name: d.names[j], ino: v[j]})
			}
			j++
		}
	}
	s.dirs.put(dir, e)
	return e
}

// file returns inode ino as this state has it.
func (s *CrashState) file(ino uint64) *fileView {
	if f, ok := s.files.get(ino); ok {
		return f
	}
	n := s.h.inode(ino)
	var f *fileView
	if s.npool < len(s.pool) {
		f = s.pool[s.npool]
	} else {
		f = &fileView{}
		s.pool = append(s.pool, f)
	}
	s.npool++
	f.n = n
	if bf := s.p.base.file(ino); bf != nil {
		f.mode, f.uid, f.gid = bf.mode, bf.uid, bf.gid
		f.cb.resetExt(bf.ext, bf.size)
	} else {
		f.mode, f.uid, f.gid = n.mode, n.uid, n.gid
		f.cb.reset(s.h.initialData(ino))
	}
	for _, j := range s.p.fileItems[ino] {
		it := s.p.items[j]
		if !s.applied(it) {
			continue
		}
		applyFileOp(f, &s.h.ops[it.op], it.lo, it.hi)
	}
	s.files.put(ino, f)
	return f
}

// applyFileOp applies data or attribute op o (of a write, its data's part
// [lo, hi)) to f.
func applyFileOp(f *fileView, o *logOp, lo, hi int64) {
	switch o.op.Kind {
	case OpWrite:
		f.cb.write(o.off+lo, o.data[lo:hi])
	case OpTruncate:
		f.cb.truncate(o.off)
	case OpChmod, OpFchmod:
		f.mode = o.mode
	case OpChown, OpFchown:
		f.uid, f.gid = o.uid, o.gid
		if o.clearSetID {
			f.mode = modeAfterChown(f.mode)
		}
	}
}

// lookup resolves name in this state, following symbolic links in every
// component, and in the last one too when follow is set. It allocates
// nothing unless it meets a symbolic link.
func (s *CrashState) lookup(op, name string, follow bool) (uint64, error) {
	root := s.h.base.root
	cur := root
	s.parents = append(s.parents[:0], cur)
	hops := 0
	rest := name
	for rest != "" {
		var p string
		p, rest = nextComponent(rest)
		if p == "" || p == "." {
			continue
		}
		if s.h.inode(cur).kind != fs.ModeDir {
			return 0, pathErr(op, name, syscall.ENOTDIR)
		}
		if p == ".." {
			if len(s.parents) > 1 {
				s.parents = s.parents[:len(s.parents)-1]
			}
			cur = s.parents[len(s.parents)-1]
			continue
		}
		next, ok := s.child(cur, p)
		if !ok {
			return 0, pathErr(op, name, syscall.ENOENT)
		}
		n := s.h.inode(next)
		if n.kind == fs.ModeSymlink && (!isLast(rest) || follow) {
			hops++
			if hops > maxSymlinkHops {
				return 0, pathErr(op, name, syscall.ELOOP)
			}
			if strings.HasPrefix(n.target, "/") {
				cur = root
				s.parents = s.parents[:1]
			}
			rest = n.target + "/" + rest
			continue
		}
		cur = next
		s.parents = append(s.parents, cur)
	}
	return cur, nil
}

// nextComponent splits the first component off a slash-separated path.
func nextComponent(path string) (string, string) {
	if i := strings.IndexByte(path, '/'); i >= 0 {
		return path[:i], path[i+1:]
	}
	return path, ""
}

// isLast reports whether what remains of a path names no further component.
func isLast(rest string) bool {
	for rest != "" {
		var p string
		p, rest = nextComponent(rest)
		if p != "" && p != "." {
			return false
		}
	}
	return true
}

// Content returns the content of the regular file name, following symbolic
// links, without copying it.
func (s *CrashState) Content(name string) (Content, error) {
	ino, err := s.lookup("open", name, true)
	if err != nil {
		return Content{}, err
	}
	switch s.h.inode(ino).kind {
	case fs.ModeDir:
		return Content{}, pathErr("read", name, syscall.EISDIR)
	}
	return s.file(ino).cb.content(), nil
}

// File returns the content and mode of the regular file name, following
// symbolic links, with one lookup and no copy: what a checker needs of a
// file in every state.
func (s *CrashState) File(name string) (Content, fs.FileMode, error) {
	ino, err := s.lookup("open", name, true)
	if err != nil {
		return Content{}, 0, err
	}
	f := s.file(ino)
	if f.n.kind == fs.ModeDir {
		return Content{}, 0, pathErr("read", name, syscall.EISDIR)
	}
	return f.cb.content(), f.n.kind | f.mode, nil
}

// ReadFile returns a copy of the content of the file name.
func (s *CrashState) ReadFile(name string) ([]byte, error) {
	c, err := s.Content(name)
	if err != nil {
		return nil, err
	}
	return c.Bytes(), nil
}

// Stat returns what the state holds at name, following symbolic links.
func (s *CrashState) Stat(name string) (fs.FileInfo, error) { return s.stat("stat", name, true) }

// Lstat returns what the state holds at name, not following a final
// symbolic link.
func (s *CrashState) Lstat(name string) (fs.FileInfo, error) { return s.stat("lstat", name, false) }

func (s *CrashState) stat(op, name string, follow bool) (fs.FileInfo, error) {
	ino, err := s.lookup(op, name, follow)
	if err != nil {
		return nil, err
	}
	return s.info(ino, baseName(name)), nil
}

func (s *CrashState) info(ino uint64, name string) fs.FileInfo {
	f := s.file(ino)
	size := f.cb.size
	switch f.n.kind {
	case fs.ModeSymlink:
		size = int64(len(f.n.target))
	case fs.ModeDir:
		size = 4096
	}
	return &memInfo{name: name, size: size, mode: f.n.kind | f.mode, mtime: time.Time{},
		sys: statT(ino, f.n.dev, f.n.kind|f.mode, 1, f.uid, f.gid, size)}
}

// Readlink returns the target of the symbolic link name.
func (s *CrashState) Readlink(name string) (string, error) {
	ino, err := s.lookup("readlink", name, false)
	if err != nil {
		return "", err
	}
	n := s.h.inode(ino)
	if n.kind != fs.ModeSymlink {
		return "", pathErr("readlink", name, syscall.EINVAL)
	}
	return n.target, nil
}

// ReadDir returns the entries of directory name, sorted by name.
func (s *CrashState) ReadDir(name string) ([]fs.DirEntry, error) {
	ino, err := s.lookup("open", name, true)
	if err != nil {
		return nil, err
	}
	if s.h.inode(ino).kind != fs.ModeDir {
		return nil, pathErr("readdirent", name, syscall.ENOTDIR)
	}
	e := s.entries(ino)
	out := make([]fs.DirEntry, len(e))
	for i, d := range e {
		out[i] = fs.FileInfoToDirEntry(s.info(d.ino, d.name))
	}
	return out, nil
}

// Mem returns a fresh Mem holding this state, already durable: the state
// can be read through the FS interface, recovered into, or served.
func (s *CrashState) Mem() *Mem { return memFromSnapshot(s.snapshot()) }

// snapshot freezes the state as a snapshot (the contract of crash_log.go).
// A file of one run shares it (it is immutable); others are copied.
func (s *CrashState) snapshot() *snapshot {
	snap := &snapshot{root: s.h.base.root, inodes: map[uint64]*snapInode{}}
	var walk func(ino uint64)
	walk = func(ino uint64) {
		if _, seen := snap.inodes[ino]; seen {
			return
		}
		f := s.file(ino)
		si := &snapInode{ino: ino, dev: f.n.dev, kind: f.n.kind, mode: f.mode, uid: f.uid, gid: f.gid,
			target: f.n.target, rdev: f.n.rdev}
		snap.inodes[ino] = si
		switch f.n.kind {
		case fs.ModeDir:
			si.entries = slices.Clone(s.entries(ino))
			for _, d := range si.entries {
				walk(d.ino)
			}
		case 0:
			si.data = f.cb.content().frozen()
		}
	}
	walk(snap.root)
	return snap
}

// opsByFate sorts the units' operations into kept, dropped and torn.
func (s *CrashState) opsByFate() (kept, dropped, torn []int) {
	last := int32(-1)
	for u := 0; u < s.p.units; u++ {
		it := s.p.items[s.p.pieces[u][0]]
		if it.op == last {
			continue
		}
		last = it.op
		n, all := 0, 0
		for v := u; v < s.p.units && s.p.items[s.p.pieces[v][0]].op == it.op; v++ {
			all++
			if s.kept != nil && s.kept[v>>6]&(1<<(v&63)) != 0 {
				n++
			}
		}
		switch {
		case n == all:
			kept = append(kept, int(it.op))
		case n == 0:
			dropped = append(dropped, int(it.op))
		default:
			torn = append(torn, int(it.op))
		}
	}
	return
}

// Kept returns the indices of the pending operations this state kept.
func (s *CrashState) Kept() []int { k, _, _ := s.opsByFate(); return k }

// Dropped returns the indices of the pending operations this state dropped.
func (s *CrashState) Dropped() []int { _, d, _ := s.opsByFate(); return d }

// Torn returns the indices of the pending writes this state kept in part.
func (s *CrashState) Torn() []int { _, _, t := s.opsByFate(); return t }

// Lost returns the indices of the writes before the crash point that a
// failed fsync lost: no crash state there holds them.
func (s *CrashState) Lost() []int {
	var lost []int
	for i := 0; i < s.p.point; i++ {
		if s.h.lostAt[i] < s.p.point {
			lost = append(lost, i)
		}
	}
	return lost
}

// KeptCount returns how many of the pending units the state kept.
func (s *CrashState) KeptCount() int {
	n := 0
	for _, w := range s.kept {
		n += bits.OnesCount64(w)
	}
	return n
}

// Describe returns a one-line account of the state:
//
//	posix at point 5: kept #3, dropped #4, torn #2 (sectors 0-1 of 0-3)
func (s *CrashState) Describe() string {
	kept, dropped, torn := s.opsByFate()
	var parts []string
	list := func(label string, ops []int) {
		if len(ops) == 0 {
			return
		}
		var b strings.Builder
		b.WriteString(label)
		for _, i := range ops {
			fmt.Fprintf(&b, " #%d", i)
		}
		parts = append(parts, b.String())
	}
	list("kept", kept)
	list("dropped", dropped)
	for _, i := range torn {
		parts = append(parts, fmt.Sprintf("torn #%d (kept bytes %s of %d)", i, s.keptRanges(i), len(s.h.ops[i].data)))
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing pending")
	}
	return fmt.Sprintf("%s at point %d: %s", s.model, s.p.point, strings.Join(parts, ", "))
}

// keptRanges prints which byte ranges of write op i the state kept.
func (s *CrashState) keptRanges(op int) string {
	var r []string
	for _, it := range s.p.items {
		if int(it.op) == op && s.applied(it) {
			r = append(r, fmt.Sprintf("%d-%d", it.lo, it.hi))
		}
	}
	return strings.Join(r, ",")
}
