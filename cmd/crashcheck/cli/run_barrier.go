//go:build linux

package cli

import (
	"io/fs"
	"os"
	"path"

	"github.com/crashcheck/crashcheck/faultfs"
)

// syncEverything records a sync(2) as the barrier it is: every regular
// file and every directory of fsys is opened and synced through the FS
// interface, files before the directory holding them, entries in name
// order, so that the crash model treats everything before it as durable
// and the trace is the same on every run. (The fsync ops it adds are
// crash points like any other.)
func syncEverything(fsys faultfs.FS) error {
	return syncTree(fsys, ".")
}

func syncTree(fsys faultfs.FS, dir string) error {
	ents, err := fsys.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := path.Join(dir, e.Name())
		switch e.Type() {
		case fs.ModeDir:
			if err := syncTree(fsys, name); err != nil {
				return err
			}
		case 0:
			if err := syncOne(fsys, name); err != nil {
				return err
			}
		}
	}
	return syncOne(fsys, dir)
}

func syncOne(fsys faultfs.FS, name string) error {
	f, err := fsys.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
