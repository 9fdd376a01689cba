package faultfs

// CreatedAser is implemented by filesystems that can give an entry that
// has just been created the owner of whoever created it, as if it had been
// made so. A FUSE server needs it: the kernel tells the server who is
// creating a file, and on a real filesystem the new inode carries that
// owner from the start. A create followed by a chown would be two
// operations, and a crash between them (or a model that loses the chown)
// would leave a state no real filesystem can: a user's new file owned by
// root.
type CreatedAser interface {
	// CreatedAs sets the owner of name (not following a final symbolic
	// link), which the caller has just created and which no one else
	// has used yet, as part of its creation: nothing is logged. A gid or
	// uid of -1 is left as it is. If name was not created since the last
	// MakeDurable, it is an ordinary, logged chown.
	CreatedAs(name string, uid, gid int) error
}

// CreatedAs gives name, just created, the owner uid:gid: fsys's CreatedAs
// if it is a [CreatedAser], else [Lchown] (a separate operation).
func CreatedAs(fsys FS, name string, uid, gid int) error {
	if c, ok := fsys.(CreatedAser); ok {
		return c.CreatedAs(name, uid, gid)
	}
	return Lchown(fsys, name, uid, gid)
}

var _ CreatedAser = (*Mem)(nil)

// CreatedAs implements CreatedAser: the inode and the record of its
// creation in the log both get the owner, so every crash state that holds
// the entry holds it with that owner.
func (m *Mem) CreatedAs(name string, uid, gid int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup("chown", name, false)
	if err != nil {
		return err
	}
	for i := len(m.log) - 1; i >= 0; i-- {
		c := m.log[i].created
		if c == nil || c.ino != n.ino {
			continue
		}
		made := *c
		if uid >= 0 {
			n.uid, made.uid = uid, uid
		}
		if gid >= 0 {
			n.gid, made.gid = gid, gid
		}
		m.log[i].created = &made
		return nil
	}
	m.chownLocked(OpChown, name, n, uid, gid)
	return nil
}
