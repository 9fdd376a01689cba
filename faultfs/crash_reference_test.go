//go:build linux || darwin

package faultfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"

	"pgregory.net/rapid"
)

// This file checks History.Enumerate against a reference written to be
// obviously right rather than fast: it reads the persistence rules of the
// package doc straight off the log (which operations are durable, lost or
// pending at a crash point), tries every subset of the pending ones, and
// replays each subset onto a plain tree of maps. Both sides are compared as
// sets of canonical strings (Enumerate dedups by provenance, the reference
// by bytes, so counts differ and sets must not).

// refTree is the reference's model of a disk: inodes by number, directories
// as maps from names to inode numbers. Nothing in it is shared or clever.
type refTree struct {
	root   uint64
	inodes map[uint64]*refInode
}

type refInode struct {
	kind     fs.FileMode // 0, fs.ModeDir or fs.ModeSymlink
	mode     fs.FileMode
	uid, gid int
	data     []byte
	target   string
	ents     map[string]uint64
}

// refBase builds the reference tree for the start of h: every inode of the
// snapshot, plus every inode the log creates (unreachable until its
// creation is applied), each fresh.
func refBase(h *History) *refTree {
	t := &refTree{root: h.base.root, inodes: map[uint64]*refInode{}}
	add := func(n *snapInode) {
		r := &refInode{kind: n.kind, mode: n.mode, uid: n.uid, gid: n.gid,
			data: slices.Clone(n.data), target: n.target}
		if n.kind == fs.ModeDir {
			r.ents = map[string]uint64{}
			for _, e := range n.entries {
				r.ents[e.name] = e.ino
			}
		}
		t.inodes[n.ino] = r
	}
	for _, n := range h.base.inodes {
		add(n)
	}
	for i := range h.ops {
		if c := h.ops[i].created; c != nil {
			add(c)
		}
	}
	return t
}

func (t *refTree) clone() *refTree {
	c := &refTree{root: t.root, inodes: make(map[uint64]*refInode, len(t.inodes))}
	for ino, n := range t.inodes {
		m := *n
		m.data = slices.Clone(n.data)
		if n.ents != nil {
			m.ents = make(map[string]uint64, len(n.ents))
			for k, v := range n.ents {
				m.ents[k] = v
			}
		}
		c.inodes[ino] = &m
	}
	return c
}

// apply replays op o onto t; for a write, only the bytes [lo, hi) of its
// data (a torn write keeps some sectors only).
func (t *refTree) apply(o *logOp, lo, hi int64) {
	switch o.op.Kind {
	case OpCreate, OpMkdir, OpSymlink, OpLink:
		t.inodes[o.dir].ents[o.name] = o.ino
	case OpRemove, OpRmdir:
		// An unlink removes the link it was made on: if the name holds
		// another inode in this state, that one stays.
		if d := t.inodes[o.dir].ents; d[o.name] == o.ino {
			delete(d, o.name)
		}
	case OpRename:
		if d := t.inodes[o.dir].ents; d[o.name] == o.ino {
			delete(d, o.name)
		}
		t.inodes[o.dir2].ents[o.name2] = o.ino
	case OpWrite:
		n := t.inodes[o.ino]
		at := o.off + lo
		for int64(len(n.data)) < at+(hi-lo) {
			n.data = append(n.data, 0)
		}
		copy(n.data[at:], o.data[lo:hi])
	case OpTruncate:
		n := t.inodes[o.ino]
		for int64(len(n.data)) < o.off {
			n.data = append(n.data, 0)
		}
		n.data = n.data[:o.off]
	case OpChmod, OpFchmod:
		t.inodes[o.ino].mode = o.mode
	case OpChown, OpFchown:
		n := t.inodes[o.ino]
		n.uid, n.gid = o.uid, o.gid
		if o.clearSetID { // Linux: set-user-ID always, set-group-ID with group execute
			n.mode &^= fs.ModeSetuid
			if n.mode&0o010 != 0 {
				n.mode &^= fs.ModeSetgid
			}
		}
	default:
		panic(fmt.Sprintf("reference: cannot apply %v", o.op.Kind))
	}
}

// canonEntry is one line of a canonical state.
type canonEntry struct {
	path     string
	ino      uint64
	mode     fs.FileMode // kind and permission bits
	uid, gid int
	body     string // file: its bytes; symlink: its target
}

// canonLines prints a state: one line per name, in walk order (sorted by
// name, depth first), with mode, owner and content; a file seen before under
// another name (a hard link) says so instead of repeating its bytes.
func canonLines(entries []canonEntry) string {
	first := map[uint64]string{}
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%s %v %d:%d", e.path, e.mode, e.uid, e.gid)
		switch {
		case e.mode.IsDir():
		case first[e.ino] != "":
			fmt.Fprintf(&b, " link=%s", first[e.ino])
		default:
			first[e.ino] = e.path
			b.WriteString(" ")
			b.WriteString(e.body)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// canonBytes prints bytes compactly and unambiguously: quoted runs, with
// runs of 8 or more equal bytes as 'x'*n.
func canonBytes(p []byte) string {
	if len(p) == 0 {
		return `""`
	}
	var parts []string
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			parts = append(parts, fmt.Sprintf("%q", lit))
			lit = lit[:0]
		}
	}
	for i := 0; i < len(p); {
		j := i
		for j < len(p) && p[j] == p[i] {
			j++
		}
		if j-i >= 8 {
			flush()
			parts = append(parts, fmt.Sprintf("%q*%d", p[i], j-i))
		} else {
			lit = append(lit, p[i:j]...)
		}
		i = j
	}
	flush()
	return strings.Join(parts, "+")
}

func joinPath(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

// canon prints the reference tree.
func (t *refTree) canon() string {
	var out []canonEntry
	var walk func(path string, ino uint64, above []uint64)
	walk = func(path string, ino uint64, above []uint64) {
		n := t.inodes[ino]
		e := canonEntry{path: path, ino: ino, mode: n.kind | n.mode, uid: n.uid, gid: n.gid}
		switch n.kind {
		case 0:
			e.body = canonBytes(n.data)
		case fs.ModeSymlink:
			e.body = "-> " + n.target
		}
		out = append(out, e)
		if n.kind != fs.ModeDir || slices.Contains(above, ino) {
			return
		}
		names := make([]string, 0, len(n.ents))
		for name := range n.ents {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			walk(joinPath(path, name), n.ents[name], append(above, ino))
		}
	}
	walk(".", t.root, nil)
	return canonLines(out)
}

// treeReader is what the canonical walk needs of a CrashState or an FS.
type treeReader interface {
	ReadDir(name string) ([]fs.DirEntry, error)
	Lstat(name string) (fs.FileInfo, error)
	Readlink(name string) (string, error)
}

type fsReader struct{ FS }

func (r fsReader) ReadFile(name string) ([]byte, error) { return ReadFile(r.FS, name) }

// canonOf prints what r holds, reading it only through its public methods
// (ReadDir, Lstat, ReadFile, Readlink), in the same form as refTree.canon.
func canonOf(r interface {
	treeReader
	ReadFile(string) ([]byte, error)
}) (string, error) {
	var out []canonEntry
	var walk func(path string, above []uint64) error
	walk = func(path string, above []uint64) error {
		fi, err := r.Lstat(path)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		e := canonEntry{path: path, ino: uint64(st.Ino), mode: fi.Mode(), uid: int(st.Uid), gid: int(st.Gid)}
		switch fi.Mode().Type() {
		case 0:
			data, err := r.ReadFile(path)
			if err != nil {
				return err
			}
			if int64(len(data)) != fi.Size() {
				return fmt.Errorf("%s: Lstat says %d bytes, ReadFile read %d", path, fi.Size(), len(data))
			}
			e.body = canonBytes(data)
		case fs.ModeSymlink:
			target, err := r.Readlink(path)
			if err != nil {
				return err
			}
			e.body = "-> " + target
		}
		out = append(out, e)
		if !fi.IsDir() || slices.Contains(above, e.ino) {
			return nil
		}
		ents, err := r.ReadDir(path)
		if err != nil {
			return err
		}
		for _, d := range ents {
			if err := walk(joinPath(path, d.Name()), append(above, e.ino)); err != nil {
				return err
			}
		}
		return nil
	}
	err := walk(".", nil)
	return canonLines(out), err
}

// --- The rules, read off the log as naively as possible. ---

// refChanges reports whether op kind k changes files or directories.
func refChanges(k OpKind) bool {
	switch k {
	case OpWrite, OpTruncate, OpChmod, OpFchmod, OpChown, OpFchown,
		OpCreate, OpMkdir, OpSymlink, OpLink, OpRemove, OpRmdir, OpRename:
		return true
	}
	return false
}

// refFileFate looks at the syncs of op i's inode between i and the crash
// point: the first successful one that covers the op makes it durable,
// unless a failed one came first and lost it ("fsyncgate"). It returns
// "durable", "lost" or "pending". An fsync covers everything; an fdatasync
// covers writes and truncations; a write with O_SYNC covers truncations
// and attribute changes; a write with O_SYNC or O_DSYNC is durable itself.
// Only writes can be lost: a failed fsync loses the data written since the
// last good one, and a truncation is not data written.
func refFileFate(ops []logOp, i, point int) string {
	o := &ops[i]
	k := o.op.Kind
	if k == OpWrite && o.op.Flag != 0 {
		return "durable"
	}
	for j := i + 1; j < point; j++ {
		if ops[j].ino != o.ino {
			continue
		}
		switch ops[j].op.Kind {
		case OpSync:
			return "durable"
		case OpDatasync:
			if k == OpWrite || k == OpTruncate {
				return "durable"
			}
		case OpWrite:
			if ops[j].op.Flag == os.O_SYNC && k != OpWrite {
				return "durable"
			}
		case OpSyncFailed:
			if k == OpWrite {
				return "lost"
			}
		}
	}
	return "pending"
}

// refDirSynced reports whether directory dir was fsynced between op i and
// the crash point.
func refDirSynced(ops []logOp, i, point int, dir uint64) bool {
	for j := i + 1; j < point; j++ {
		if ops[j].op.Kind == OpSyncDir && ops[j].ino == dir {
			return true
		}
	}
	return false
}

// refPosixFate applies the posix rows of the table to op i.
func refPosixFate(ops []logOp, i, point int) string {
	o := &ops[i]
	switch o.op.Kind {
	case OpWrite, OpTruncate, OpChmod, OpFchmod, OpChown, OpFchown:
		return refFileFate(ops, i, point)
	case OpRename:
		if refDirSynced(ops, i, point, o.dir) && refDirSynced(ops, i, point, o.dir2) {
			return "durable"
		}
	default:
		if refDirSynced(ops, i, point, o.dir) {
			return "durable"
		}
	}
	return "pending"
}

// refStep is an operation (or a piece of a write) a reference state may
// apply: always (unit -1) or when its unit is chosen.
type refStep struct {
	op     int
	lo, hi int64
	unit   int
}

// refReplay applies the steps whose unit is kept, in program order.
func refReplay(base *refTree, ops []logOp, steps []refStep, kept func(unit int) bool) string {
	t := base.clone()
	for _, s := range steps {
		if s.unit < 0 || kept(s.unit) {
			t.apply(&ops[s.op], s.lo, s.hi)
		}
	}
	return t.canon()
}

// refProcess is every completed operation.
func refProcess(h *History, point int) map[string]bool {
	var steps []refStep
	for i := 0; i < point; i++ {
		if refChanges(h.ops[i].op.Kind) {
			steps = append(steps, refStep{op: i, hi: int64(len(h.ops[i].data)), unit: -1})
		}
	}
	return map[string]bool{refReplay(refBase(h), h.ops, steps, nil): true}
}

// refPosix is every subset of the pending operations, each pending write
// split into its sectors' pieces; nil if there are more than 1<<maxUnits.
func refPosix(h *History, point, maxUnits int) map[string]bool {
	var steps []refStep
	units := 0
	for i := 0; i < point; i++ {
		o := &h.ops[i]
		if !refChanges(o.op.Kind) {
			continue
		}
		switch refPosixFate(h.ops, i, point) {
		case "lost":
		case "durable":
			steps = append(steps, refStep{op: i, hi: int64(len(o.data)), unit: -1})
		default:
			if o.op.Kind != OpWrite {
				steps = append(steps, refStep{op: i, unit: units})
				units++
				continue
			}
			cuts := writePieces(o.off, int64(len(o.data)))
			for j := 0; j+1 < len(cuts); j++ {
				steps = append(steps, refStep{op: i, lo: cuts[j], hi: cuts[j+1], unit: units})
				units++
			}
		}
	}
	if units > maxUnits {
		return nil
	}
	base := refBase(h)
	set := map[string]bool{}
	for mask := 0; mask < 1<<units; mask++ {
		set[refReplay(base, h.ops, steps, func(u int) bool { return mask&(1<<u) != 0 })] = true
	}
	return set
}

// refExt4 is every journal prefix of the pending metadata operations times
// every subset of the pending data writes, where a rename over a file or a
// close after truncating to zero that is in the prefix brings the writes it
// flushes (auto_da_alloc); nil if there are more than maxStates choices.
func refExt4(h *History, point, maxStates int) map[string]bool {
	ops := h.ops
	// commits reports whether a sync before the point commits the journal
	// through op i: an fsync of a directory always does; an fsync (or
	// O_SYNC write) of a file does if an op from i up to it changed the
	// file's inode by other than a write, an fdatasync (or O_DSYNC write)
	// if one created or truncated it.
	commits := func(i int) bool {
		for j := i + 1; j < point; j++ {
			s := &ops[j]
			k := s.op.Kind
			full := k == OpSync || k == OpWrite && s.op.Flag == os.O_SYNC
			data := k == OpDatasync || k == OpWrite && s.op.Flag != 0 && !full
			if k == OpSyncDir {
				return true
			}
			if !full && !data {
				continue
			}
			for m := i; m < j; m++ {
				c := &ops[m]
				if c.ino != s.ino || c.op.Kind == OpWrite || !refChanges(c.op.Kind) {
					continue
				}
				if full || c.op.Kind == OpTruncate || c.created != nil {
					return true
				}
			}
		}
		return false
	}
	// Data writes: lost, durable by their own file's fsync, or pending.
	fate := map[int]string{}
	for i := 0; i < point; i++ {
		if ops[i].op.Kind == OpWrite {
			fate[i] = refFileFate(ops, i, point)
		}
	}
	// Flushes: what each one carries.
	carries := map[int][]int{}
	for j := 0; j < point; j++ {
		o := &ops[j]
		flushClose := o.op.Kind == OpClose && o.truncZ
		flushRename := o.op.Kind == OpRename && o.replaced != 0
		if !flushClose && !flushRename {
			continue
		}
		from := 0
		if flushClose { // since the last truncation to zero
			for i := j - 1; i >= 0; i-- {
				if ops[i].op.Kind == OpTruncate && ops[i].ino == o.ino && ops[i].off == 0 {
					from = i + 1
					break
				}
			}
		}
		for i := from; i < j; i++ {
			if ops[i].op.Kind == OpWrite && ops[i].ino == o.ino && fate[i] == "pending" {
				carries[j] = append(carries[j], i)
			}
		}
	}
	// A flush already committed by a later fsync makes what it carries durable.
	for j, ws := range carries {
		if commits(j) {
			for _, w := range ws {
				fate[w] = "durable"
			}
		}
	}
	var steps []refStep
	var journal []int // units of pending metadata ops and flushes, in order
	var data []int    // units of pending writes
	unitOf := map[int]int{}
	for i := 0; i < point; i++ {
		o := &ops[i]
		switch k := o.op.Kind; {
		case k == OpWrite:
			switch fate[i] {
			case "durable":
				steps = append(steps, refStep{op: i, hi: int64(len(o.data)), unit: -1})
			case "pending":
				unitOf[i] = len(unitOf)
				data = append(data, unitOf[i])
				steps = append(steps, refStep{op: i, hi: int64(len(o.data)), unit: unitOf[i]})
			}
		case refChanges(k):
			if commits(i) {
				steps = append(steps, refStep{op: i, unit: -1})
				continue
			}
			unitOf[i] = len(unitOf)
			journal = append(journal, unitOf[i])
			steps = append(steps, refStep{op: i, unit: unitOf[i]})
		case carries[i] != nil && !commits(i): // a flush at close: in the journal order, applies nothing itself
			unitOf[i] = len(unitOf)
			journal = append(journal, unitOf[i])
		}
	}
	if (len(journal)+1)<<len(data) > maxStates {
		return nil
	}
	brings := map[int][]int{} // journal unit -> data units it flushes
	for j, ws := range carries {
		if u, ok := unitOf[j]; ok {
			for _, w := range ws {
				if fate[w] == "pending" { // not already made durable by another flush
					brings[u] = append(brings[u], unitOf[w])
				}
			}
		}
	}
	base := refBase(h)
	set := map[string]bool{}
	for cut := 0; cut <= len(journal); cut++ {
		for mask := 0; mask < 1<<len(data); mask++ {
			kept := map[int]bool{}
			for _, u := range journal[:cut] {
				kept[u] = true
				for _, w := range brings[u] {
					kept[w] = true
				}
			}
			for j, u := range data {
				if mask&(1<<j) != 0 {
					kept[u] = true
				}
			}
			set[refReplay(base, ops, steps, func(u int) bool { return kept[u] })] = true
		}
	}
	return set
}

// refLogs reports whether op o logs inode ino under xfs: any change of
// it but a write, and an entry change in it.
func refLogs(o *logOp, ino uint64) bool {
	k := o.op.Kind
	switch {
	case !refChanges(k) || k == OpWrite:
		return false
	case o.ino == ino:
		return true
	case k == OpRename:
		return o.dir == ino || o.dir2 == ino
	}
	return k != OpChmod && k != OpFchmod && k != OpChown && k != OpFchown && o.dir == ino
}

// refXFSCommitted reports whether metadata op i is durable at point under
// xfs: some fsync-like op on an inode before the point, whose last logged
// change before it is at or after i, forced the log through i.
func refXFSCommitted(ops []logOp, i, point int) bool {
	for s := i + 1; s < point; s++ {
		o := &ops[s]
		k := o.op.Kind
		if k != OpSync && k != OpDatasync && k != OpSyncDir && !(k == OpWrite && o.op.Flag != 0) {
			continue
		}
		for j := s - 1; j >= i; j-- {
			if refLogs(&ops[j], o.ino) {
				return true
			}
		}
	}
	return false
}

// refCut is every cut of the journal units times every subset of the free
// units whose rank is at most the cut; nil if that is more than
// maxStates choices.
func refCut(h *History, steps []refStep, journal, free, rank []int, maxStates int) map[string]bool {
	if (len(journal)+1)<<len(free) > maxStates {
		return nil
	}
	base := refBase(h)
	set := map[string]bool{}
	for cut := 0; cut <= len(journal); cut++ {
		for mask := 0; mask < 1<<len(free); mask++ {
			kept := map[int]bool{}
			ok := true
			for j, u := range free {
				if mask&(1<<j) != 0 {
					kept[u] = true
					ok = ok && rank[j] <= cut
				}
			}
			if !ok {
				continue
			}
			for _, u := range journal[:cut] {
				kept[u] = true
			}
			set[refReplay(base, h.ops, steps, func(u int) bool { return kept[u] })] = true
		}
	}
	return set
}

// refXFS is every prefix of the pending metadata operations (those no log
// force committed) times every subset of the pending writes' sector
// pieces.
func refXFS(h *History, point, maxStates int) map[string]bool {
	var steps []refStep
	var journal, free, rank []int
	units := 0
	for i := 0; i < point; i++ {
		o := &h.ops[i]
		if !refChanges(o.op.Kind) {
			continue
		}
		fate := refPosixFate(h.ops, i, point)
		switch {
		case fate == "lost":
		case fate == "durable" || o.op.Kind != OpWrite && refXFSCommitted(h.ops, i, point):
			steps = append(steps, refStep{op: i, hi: int64(len(o.data)), unit: -1})
		case o.op.Kind == OpWrite:
			cuts := writePieces(o.off, int64(len(o.data)))
			for j := 0; j+1 < len(cuts); j++ {
				steps = append(steps, refStep{op: i, lo: cuts[j], hi: cuts[j+1], unit: units})
				free, rank = append(free, units), append(rank, 0)
				units++
			}
		default:
			steps = append(steps, refStep{op: i, unit: units})
			journal = append(journal, units)
			units++
		}
	}
	return refCut(h, steps, journal, free, rank, maxStates)
}

// refBtrfs: up to the last op that may write the log tree, posix (each
// pending op free, writes torn at 4 KiB blocks); after it, a prefix of the
// metadata ops, and a pending write (piece) only with every metadata op
// before it.
func refBtrfs(h *History, point, maxStates int) map[string]bool {
	ops := h.ops
	logWrite := func(i int) bool {
		o := &ops[i]
		switch k := o.op.Kind; k {
		case OpSync, OpDatasync, OpSyncDir, OpSyncFailed:
			return true
		case OpWrite:
			return o.op.Flag != 0
		case OpCreate, OpMkdir, OpSymlink, OpLink, OpRemove, OpRmdir, OpRename, OpMknod:
			for j := 0; j < i; j++ {
				switch ops[j].op.Kind {
				case OpSync, OpDatasync, OpSyncDir, OpSyncFailed, OpWrite:
					if ops[j].op.Kind == OpWrite && ops[j].op.Flag == 0 {
						continue
					}
					if s := ops[j].ino; s == o.ino || s == o.dir || s == o.dir2 || s == o.replaced {
						return true
					}
				}
			}
		}
		return false
	}
	last := -1
	for i := 0; i < point; i++ {
		if logWrite(i) {
			last = i
		}
	}
	var steps []refStep
	var journal, free, rank []int
	units := 0
	for i := 0; i < point; i++ {
		o := &ops[i]
		if !refChanges(o.op.Kind) {
			continue
		}
		switch fate := refPosixFate(ops, i, point); {
		case fate == "lost":
		case fate == "durable":
			steps = append(steps, refStep{op: i, hi: int64(len(o.data)), unit: -1})
		case o.op.Kind == OpWrite:
			for lo := int64(0); lo < int64(len(o.data)) || lo == 0; {
				hi := min((o.off+lo)/4096*4096+4096-o.off, int64(len(o.data)))
				steps = append(steps, refStep{op: i, lo: lo, hi: hi, unit: units})
				free, rank = append(free, units), append(rank, len(journal))
				units++
				if lo = hi; hi == 0 {
					break
				}
			}
		case i <= last:
			steps = append(steps, refStep{op: i, unit: units})
			free, rank = append(free, units), append(rank, 0)
			units++
		default:
			steps = append(steps, refStep{op: i, unit: units})
			journal = append(journal, units)
			units++
		}
	}
	return refCut(h, steps, journal, free, rank, maxStates)
}

// refStates returns the reference's states for model at point, or nil when
// there are too many to try.
func refStates(h *History, model string, point int) map[string]bool {
	switch model {
	case "process":
		return refProcess(h, point)
	case "posix":
		return refPosix(h, point, 10)
	case "ext4-ordered":
		return refExt4(h, point, 2048)
	case "xfs":
		return refXFS(h, point, 2048)
	case "btrfs":
		return refBtrfs(h, point, 2048)
	}
	panic(model)
}

// enumCanon enumerates and returns the canonical states in visit order and
// the stats.
func enumCanon(t interface{ Fatalf(string, ...any) }, h *History, m Model, point int, opt EnumOptions) ([]string, EnumStats) {
	var out []string
	var err error
	st := h.Enumerate(m, point, opt, func(s *CrashState) bool {
		var c string
		c, err = canonOf(s)
		if err != nil {
			err = fmt.Errorf("%s: %w", s.Describe(), err)
			return false
		}
		out = append(out, c)
		return true
	})
	if err != nil {
		t.Fatalf("reading %s state at point %d: %v", m.Name(), point, err)
	}
	return out, st
}

// --- The random workload. ---

var (
	refFiles = []string{"a", "b", "c", "d/a", "d/b", "e/c", "d/f/a"}
	refDirs  = []string{"d", "e", "d/f"}
	refAll   = append(append([]string{}, refFiles...), refDirs...)
)

// refData is n bytes that depend on tag and position, so that bytes from
// different writes, or from a misplaced piece, differ.
func refData(tag, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		x := uint32(tag)*2654435761 ^ uint32(j)*40503
		b[j] = byte(x>>13) | 1
	}
	return b
}

// refWorkload sets up a random durable tree on a Mem, then runs at most
// eight state-changing operations (plus syncs and closes) on it. It returns
// the Mem and its current view, canonical, after each step, keyed by the
// length of the log at that moment.
func refWorkload(t *rapid.T) (*Mem, map[int]string) {
	m := NewMem(WithOwner(1000, 1000))
	for _, d := range refDirs {
		if rapid.Bool().Draw(t, "init dir "+d) {
			_ = m.Mkdir(d, 0o755)
		}
	}
	for i, p := range refFiles {
		if rapid.IntRange(0, 2).Draw(t, "init "+p) > 0 {
			_ = WriteFile(m, p, refData(100+i, rapid.IntRange(0, 1600).Draw(t, "init size")), 0o644)
		}
	}
	m.MakeDurable()
	views := map[int]string{}
	view := func() {
		c, err := canonOf(fsReader{m})
		if err != nil {
			t.Fatalf("reading the Mem: %v", err)
		}
		views[len(m.Log())] = c
	}
	view()
	type handle struct {
		f    File
		name string
	}
	var open []handle
	pick := func() handle { return open[rapid.IntRange(0, len(open)-1).Draw(t, "handle")] }
	path := func(label string) string { return rapid.SampledFrom(refAll).Draw(t, label) }
	changes := func() int {
		n := 0
		for _, o := range m.Log() {
			if refChanges(o.Kind) {
				n++
			}
		}
		return n
	}
	steps := rapid.IntRange(1, 16).Draw(t, "steps")
	for s := 0; s < steps && changes() < 8; s++ {
		op := rapid.IntRange(0, 15).Draw(t, "op")
		if op <= 5 && len(open) == 0 {
			op = 6
		}
		switch op {
		case 0, 1:
			size := rapid.IntRange(0, 1600).Draw(t, "size")
			_, _ = pick().f.WriteAt(refData(s, size), rapid.Int64Range(0, 1600).Draw(t, "off"))
		case 2:
			_ = pick().f.Truncate(rapid.Int64Range(0, 2000).Draw(t, "truncate to"))
		case 3:
			if rapid.Bool().Draw(t, "datasync") {
				_ = Datasync(pick().f)
			} else {
				_ = pick().f.Sync()
			}
		case 4:
			_ = pick().f.(SyncFailer).FailSync(errors.New("EIO"))
		case 5:
			k := rapid.IntRange(0, len(open)-1).Draw(t, "close")
			_ = open[k].f.Close()
			open = append(open[:k], open[k+1:]...)
		case 6:
			flags := rapid.SampledFrom([]int{os.O_RDWR | os.O_CREATE, os.O_RDWR | os.O_CREATE | os.O_TRUNC, os.O_RDWR,
				os.O_RDWR | os.O_SYNC, os.O_RDWR | os.O_CREATE | syscall.O_DSYNC}).Draw(t, "flags")
			p := rapid.SampledFrom(refFiles).Draw(t, "open")
			if f, err := m.OpenFile(p, flags, 0o644); err == nil {
				open = append(open, handle{f, p})
			}
		case 7, 8:
			_ = m.Rename(path("from"), path("to"))
		case 9:
			_ = m.Remove(path("unlink"))
		case 10:
			_ = m.Mkdir(rapid.SampledFrom(refDirs).Draw(t, "mkdir"), 0o755)
		case 11:
			_ = m.Link(rapid.SampledFrom(refFiles).Draw(t, "link from"), rapid.SampledFrom(refFiles).Draw(t, "link to"))
		case 12:
			mode := rapid.SampledFrom([]fs.FileMode{0o600, 0o644, 0o755, fs.ModeSetuid | 0o711, fs.ModeSetgid | 0o750, fs.ModeSetgid | 0o745}).Draw(t, "mode")
			if len(open) > 0 && rapid.Bool().Draw(t, "fchmod") {
				_ = pick().f.Chmod(mode)
			} else {
				_ = m.Chmod(path("chmod"), mode)
			}
		case 13:
			_ = SyncDir(m, rapid.SampledFrom([]string{".", "d", "e", "d/f"}).Draw(t, "syncdir"))
		case 14:
			if len(open) > 0 && rapid.Bool().Draw(t, "fchown") {
				_ = pick().f.Chown(rapid.IntRange(0, 2).Draw(t, "uid"), -1)
			} else {
				_ = m.Symlink(rapid.SampledFrom([]string{"a", "d/b", "../c"}).Draw(t, "target"), path("symlink"))
			}
		case 15:
			_ = SyncDir(m, ".")
		}
		view()
	}
	for _, h := range open {
		_ = h.f.Close()
		view()
	}
	return m, views
}

// diffSets describes how two sets of canonical states differ.
func diffSets(want, got map[string]bool) string {
	var b strings.Builder
	for _, s := range sortedKeys(want) {
		if !got[s] {
			fmt.Fprintf(&b, "missing from Enumerate:\n%s\n", s)
		}
	}
	for _, s := range sortedKeys(got) {
		if !want[s] {
			fmt.Fprintf(&b, "not allowed by the reference:\n%s\n", s)
		}
	}
	return b.String()
}

func sortedKeys(m map[string]bool) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func describeOps(h *History) string {
	var b strings.Builder
	for _, o := range h.Ops() {
		fmt.Fprintf(&b, "  %v\n", o)
	}
	return b.String()
}

// TestEnumerateMatchesReference is the property: at every crash point of a
// random workload, under every model, Enumerate visits exactly the states
// the brute-force reference allows, says it was exhaustive, and repeats
// itself exactly; the process model's one state is what the Mem showed at
// that moment; and the final state is what the run left.
func TestEnumerateMatchesReference(t *testing.T) {
	var compared, skipped int
	rapid.Check(t, func(t *rapid.T) {
		m, views := refWorkload(t)
		h := m.History()
		n := len(h.ops)
		ctx := func() string { return "ops:\n" + describeOps(h) }

		// The ends: initial and final states.
		if c, err := canonOf(h.InitialState()); err != nil || c != views[0] {
			t.Fatalf("InitialState (err %v):\n%s\nwant the durable tree:\n%s", err, c, views[0])
		}
		final, err := canonOf(h.FinalState())
		if err != nil || final != views[n] {
			t.Fatalf("FinalState (err %v):\n%s\nwant what the run left:\n%s\n%s", err, final, views[n], ctx())
		}
		if c, err := canonOf(fsReader{h.Final()}); err != nil || c != final {
			t.Fatalf("Final() Mem (err %v):\n%s\nwant FinalState:\n%s", err, c, final)
		}

		lostAny := false
		for _, o := range h.ops {
			lostAny = lostAny || o.op.Kind == OpSyncFailed
		}
		for _, model := range Models() {
			for point := 0; point <= n; point++ {
				ref := refStates(h, model.Name(), point)
				if ref == nil {
					skipped++
					continue
				}
				compared++
				opt := EnumOptions{MaxStates: 1 << 16, Seed: 7}
				states, st := enumCanon(t, h, model, point, opt)
				if !st.Exhaustive {
					t.Fatalf("%s point %d: not exhaustive (%+v) with MaxStates %d\n%s", model.Name(), point, st, opt.MaxStates, ctx())
				}
				if st.States != len(states) {
					t.Fatalf("%s point %d: stats say %d states, visited %d", model.Name(), point, st.States, len(states))
				}
				got := map[string]bool{}
				for _, s := range states {
					got[s] = true
				}
				if d := diffSets(ref, got); d != "" {
					t.Fatalf("%s at point %d:\n%s%s", model.Name(), point, d, ctx())
				}
				// Determinism: the same enumeration again, state for state.
				again, _ := enumCanon(t, h, model, point, opt)
				if !slices.Equal(states, again) {
					t.Fatalf("%s point %d: a second enumeration visited the states in another order", model.Name(), point)
				}
				switch {
				case model.Name() == "process":
					if want, ok := views[point]; ok && states[0] != want {
						t.Fatalf("process at point %d:\n%s\nwant the Mem's view then:\n%s%s", point, states[0], want, ctx())
					}
				case point == 0:
					if len(states) != 1 || states[0] != views[0] {
						t.Fatalf("%s at point 0: %d states, want only the durable tree", model.Name(), len(states))
					}
				case point == n && !lostAny && !got[final]:
					t.Fatalf("%s at the last point: the final state is missing\n%s", model.Name(), ctx())
				}
				// A sample: exactly MaxStates distinct states when there
				// are more, each one legal, the same twice for a seed.
				const small = 3
				if len(ref) > small {
					seed := rapid.Uint64().Draw(t, "seed")
					opt := EnumOptions{MaxStates: small, Seed: seed}
					s1, st1 := enumCanon(t, h, model, point, opt)
					s2, _ := enumCanon(t, h, model, point, opt)
					if st1.Exhaustive || st1.States != small || len(s1) != small {
						t.Fatalf("%s point %d: a sample of %d from %d+ states gave %d (%+v)\n%s", model.Name(), point, small, len(ref), len(s1), st1, ctx())
					}
					if !slices.Equal(s1, s2) {
						t.Fatalf("%s point %d seed %d: two samples differ", model.Name(), point, seed)
					}
					for _, s := range s1 {
						if !ref[s] {
							t.Fatalf("%s point %d seed %d: sampled a state the reference does not allow:\n%s\n%s", model.Name(), point, seed, s, ctx())
						}
					}
				}
			}
		}
	})
	t.Logf("compared %d crash points against the reference; %d had too many states to try", compared, skipped)
	if compared < 4*skipped {
		t.Errorf("the reference could try only %d of %d crash points: the workloads are too large", compared, compared+skipped)
	}
}
