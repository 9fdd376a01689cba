package faultfs

import (
	"io"
	"io/fs"
)

// IOFS returns a read-only io/fs view of fsys, so that fs.WalkDir,
// fs.Glob, template.ParseFS, http.FS and testing/fstest.TestFS work on
// it. Names are io/fs names (slash-separated, unrooted, "." for the top:
// fs.ValidPath; any other name fails with fs.ErrInvalid) and are passed to
// fsys as they are, so the view of [OS] is the working directory (use
// fs.Sub, or a [Root], for another) and the view of [Mem] its root.
//
// The view opens files with fsys.Open and so never writes; what it reads
// goes through fsys, so an [Injector] under it traces (and may fail) every
// open, read, readdir and close. It implements fs.StatFS, fs.ReadDirFS,
// fs.ReadFileFS and fs.ReadLinkFS; its files are io.Seeker and
// io.ReaderAt, and a directory is an fs.ReadDirFile (through
// [ReadDirFile], so a File without ReadDir lists nothing and fails).
func IOFS(fsys FS) fs.FS { return ioFS{fsys: fsys} }

type ioFS struct{ fsys FS }

var (
	_ fs.StatFS     = ioFS{}
	_ fs.ReadDirFS  = ioFS{}
	_ fs.ReadFileFS = ioFS{}
	_ fs.ReadLinkFS = ioFS{}
)

func invalid(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
}

// Open implements fs.FS.
func (v ioFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, invalid("open", name)
	}
	f, err := v.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return ioFile{f}, nil
}

// Stat implements fs.StatFS.
func (v ioFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, invalid("stat", name)
	}
	return v.fsys.Stat(name)
}

// ReadDir implements fs.ReadDirFS: entries sorted by name.
func (v ioFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, invalid("open", name)
	}
	return v.fsys.ReadDir(name)
}

// ReadFile implements fs.ReadFileFS.
func (v ioFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, invalid("open", name)
	}
	return ReadFile(v.fsys, name)
}

// ReadLink implements fs.ReadLinkFS.
func (v ioFS) ReadLink(name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", invalid("readlink", name)
	}
	return v.fsys.Readlink(name)
}

// Lstat implements fs.ReadLinkFS.
func (v ioFS) Lstat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, invalid("lstat", name)
	}
	return v.fsys.Lstat(name)
}

// ioFile is a File seen through IOFS: only its reading methods.
type ioFile struct{ f File }

var (
	_ fs.ReadDirFile = ioFile{}
	_ io.Seeker      = ioFile{}
	_ io.ReaderAt    = ioFile{}
)

func (f ioFile) Stat() (fs.FileInfo, error)                { return f.f.Stat() }
func (f ioFile) Read(p []byte) (int, error)                { return f.f.Read(p) }
func (f ioFile) ReadAt(p []byte, off int64) (int, error)   { return f.f.ReadAt(p, off) }
func (f ioFile) Seek(off int64, whence int) (int64, error) { return f.f.Seek(off, whence) }
func (f ioFile) Close() error                              { return f.f.Close() }
func (f ioFile) ReadDir(n int) ([]fs.DirEntry, error)      { return ReadDirFile(f.f, n) }
