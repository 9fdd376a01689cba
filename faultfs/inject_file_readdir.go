package faultfs

import "io/fs"

var _ fs.ReadDirFile = (*injectFile)(nil)

// ReadDir implements fs.ReadDirFile through [ReadDirFile] on the wrapped
// file: an OpReadDir op whose Len is n and whose N is the number of
// entries returned. A fault that fires at it makes it fail without
// reading, as a failed getdents(2) would.
func (f *injectFile) ReadDir(n int) (ents []fs.DirEntry, err error) {
	err = f.simple(Op{Kind: OpReadDir, Len: int64(n)}, "readdirent", func() (int64, error) {
		ents, err = ReadDirFile(f.f, n)
		return int64(len(ents)), err
	})
	return ents, err
}
