package faultfs

import "time"

// The current view's times, as Linux keeps them (times are outside the
// crash model: see the package doc's Limits).
//
//	change                                   stamps
//	write, truncate (also O_TRUNC)            the file's mtime and ctime
//	chmod, chown, utimensat, link, unlink     the inode's ctime
//	rename                                    the renamed inode's ctime (as ext4, btrfs, tmpfs do)
//	create, mkdir, symlink, mknod, link,      the directory's mtime and ctime
//	unlink, rmdir, rename in or out
//	read, readdir, readlink                   atime, under the relatime rule
//
// relatime (Linux's default mount option): an access updates atime only
// when atime is not later than mtime or ctime, or is more than a day old.

// modified stamps a change of n's content: mtime and ctime.
func (m *Mem) modified(n *inode) {
	now := m.clock()
	n.mtime, n.ctime = now, now
}

// changed stamps a change of n's attributes or links: ctime.
func (m *Mem) changed(n *inode) { n.ctime = m.clock() }

// accessed stamps a read of n under the relatime rule.
func (m *Mem) accessed(n *inode) {
	now := m.clock()
	if !n.atime.After(n.mtime) || !n.atime.After(n.ctime) || now.Sub(n.atime) >= relatimeWindow {
		n.atime = now
	}
}

// relatimeWindow is how old an atime relatime lets stand.
const relatimeWindow = 24 * time.Hour
