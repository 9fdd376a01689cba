package faultfs

import (
	"io"
	"io/fs"
	"sort"
	"syscall"
)

var _ fs.ReadDirFile = (*memFile)(nil)

// ReadDir implements fs.ReadDirFile, as (*os.File).ReadDir does: entries
// in name order, continuing after the last name the handle returned, so
// that an entry added or removed between calls is listed at most once and
// every other entry exactly once. It is not an op of Mem's log (it changes
// nothing on disk); it updates the directory's access time as a read does.
// Seek does not rewind it: open the directory again to list it again.
func (f *memFile) ReadDir(n int) ([]fs.DirEntry, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("readdirent"); err != nil {
		return nil, err
	}
	if !f.n.isDir() {
		return nil, pathErr("readdirent", f.name, syscall.ENOTDIR)
	}
	f.m.accessed(f.n)
	names := sortedNames(f.n.dir)
	if f.dirPos != nil {
		last := *f.dirPos
		names = names[sort.SearchStrings(names, last):]
		if len(names) > 0 && names[0] == last {
			names = names[1:]
		}
	}
	if n > 0 && len(names) > n {
		names = names[:n]
	}
	if n > 0 && len(names) == 0 {
		return nil, io.EOF
	}
	out := make([]fs.DirEntry, len(names))
	for k, c := range names {
		out[k] = fs.FileInfoToDirEntry(f.m.infoLocked(f.n.dir[c], c))
	}
	if len(names) > 0 {
		last := names[len(names)-1]
		f.dirPos = &last
	}
	return out, nil
}
