package faultfs

import "io/fs"

// Mem's side of the snapshot contract (crash_log.go): freezing the current
// view into a snapshot, and building a fresh Mem from one.

// snapshotLocked freezes the current view. File data is shared with the
// current view, whose memory is never written over (see mem_data.go).
func (m *Mem) snapshotLocked() *snapshot {
	s := &snapshot{root: m.root.ino, inodes: map[uint64]*snapInode{}}
	var walk func(n *inode)
	walk = func(n *inode) {
		if _, seen := s.inodes[n.ino]; seen {
			return
		}
		si := freeze(n)
		s.inodes[n.ino] = si
		for _, name := range sortedNames(n.dir) {
			child := n.dir[name]
			si.entries = append(si.entries, dirent{name: name, ino: child.ino})
			walk(child)
		}
	}
	walk(m.root)
	if len(m.data.stores) > 0 {
		keep(s, m.data.stores...) // its files may be spilled (mem_data_spill.go)
	}
	return s
}

// freeze returns n's attributes as an immutable inode (directories without
// entries: the caller fills them).
func freeze(n *inode) *snapInode {
	var data []byte
	if n.kind == 0 {
		data = n.content().freeze()
	}
	return &snapInode{ino: n.ino, dev: n.dev, kind: n.kind, mode: n.mode, uid: n.uid, gid: n.gid,
		data: data, target: n.target, rdev: n.rdev}
}

// memFromSnapshot returns a fresh Mem holding the tree of snap, already
// durable. Inodes get fresh numbers in the order the tree is walked (by
// name); a name that leads to an inode already made is a hard link (a
// directory reached twice is made once).
func memFromSnapshot(snap *snapshot) *Mem {
	m := NewMem()
	m.mu.Lock()
	defer m.mu.Unlock()
	made := map[uint64]*inode{}
	var build func(dir *snapInode, into *inode)
	build = func(dir *snapInode, into *inode) {
		for _, d := range dir.entries {
			if n, ok := made[d.ino]; ok {
				if !n.isDir() {
					m.linkLocked(into, d.name, n)
				}
				continue
			}
			si := snap.inodes[d.ino]
			n := &inode{ino: m.nextIno, dev: si.dev, kind: si.kind, mode: si.mode, uid: si.uid, gid: si.gid,
				target: si.target, rdev: si.rdev}
			n.atime = m.clock()
			n.mtime, n.ctime = n.atime, n.atime
			m.nextIno++
			made[d.ino] = n
			switch si.kind {
			case fs.ModeDir:
				n.dir = map[string]*inode{}
				m.linkLocked(into, d.name, n)
				build(si, n)
			case 0:
				n.data = si.data
				n.file.src = &m.data
				m.data.adopted(si.data)
				m.used += int64(len(si.data))
				m.linkLocked(into, d.name, n)
			default:
				m.linkLocked(into, d.name, n)
			}
		}
	}
	root := snap.inodes[snap.root]
	m.root.mode, m.root.uid, m.root.gid = root.mode, root.uid, root.gid
	build(root, m.root)
	m.base = m.snapshotLocked()
	m.log = nil
	return m
}
