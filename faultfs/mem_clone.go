package faultfs

import "maps"

// Clone returns a fresh Mem holding what m holds: the same current view
// (names, inode numbers, attributes, contents), the same durable state and
// the same log since MakeDurable, with m's options. It copies no file
// data: both Mems share m's pages, which neither ever writes over (see
// mem_data.go), and each writes into memory of its own from then on, so
// neither sees the other's later changes. Open files are not carried over.
//
// A harness that re-runs a workload many times on one set-up state
// (scenarios.Verify does, once per injected fault) sets it up once and
// clones it for each run: a run then costs what it writes, not what the
// disk holds, and the crash states of every run share the set-up data, so
// comparing a file's content across runs finds it identical without
// reading it.
func (m *Mem) Clone() *Mem {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := &Mem{
		nextIno: m.nextIno, nextDev: m.nextDev, umask: m.umask, uid: m.uid, gid: m.gid,
		quota: m.quota, used: m.used, base: m.base, clock: m.clock,
		log: m.log[:len(m.log):len(m.log)], // entries are immutable; appends reallocate
	}
	c.data = m.data.clone(c)
	made := map[*inode]*inode{}
	var clone func(n *inode) *inode
	clone = func(n *inode) *inode {
		if cn, ok := made[n]; ok {
			return cn // a hard link, or a directory's parent
		}
		cn := &inode{ino: n.ino, dev: n.dev, kind: n.kind, mode: n.mode, uid: n.uid, gid: n.gid,
			nlink: n.nlink, mtime: n.mtime, data: n.data, target: n.target}
		made[n] = cn
		cn.file = n.file.share()
		cn.file.src = &c.data
		if n.dir != nil {
			cn.dir = make(map[string]*inode, len(n.dir))
			for name, child := range n.dir {
				cn.dir[name] = clone(child)
			}
		}
		return cn
	}
	c.root = clone(m.root)
	for n, cn := range made {
		cn.parent = made[n.parent] // a directory's parent holds it: cloned too
	}
	return c
}

// share returns a fileData holding d's bytes in d's pages, with an arena
// of its own: what it writes later goes into fresh memory, never into the
// tail of d's last chunk, which d may still hand out.
func (d *fileData) share() fileData {
	if d.sp != nil {
		// A sparse file's page map changes as it is written: the
		// clone's is a copy, its pages (never written) shared.
		return fileData{size: d.size, sp: &sparsePages{pages: maps.Clone(d.sp.pages), base: d.sp.base}}
	}
	if d.pages == nil {
		return fileData{size: d.size}
	}
	return fileData{pages: append([][]byte(nil), d.pages...), size: d.size, chunk: d.chunk}
}

// CloneReusing is Clone, for a re-run of a workload whose run from m was
// recorded as ref: a write the clone logs at the index where ref logged
// one at the same offset, of the same bytes (or the first bytes of ref's:
// a short write), keeps ref's memory rather
// than a copy of its own (mem_data_reuse.go), when it fills its pages
// alone. The bytes are compared when written, so the clone holds what it
// wrote whatever ref holds; ref only saves memory and later comparisons.
func (m *Mem) CloneReusing(ref *History) *Mem {
	c := m.Clone()
	c.reuse = ref.ops
	return c
}
