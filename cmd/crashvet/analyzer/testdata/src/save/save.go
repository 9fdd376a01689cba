// Package save holds the temp-file-and-rename save code crashvet checks:
// every line with a want comment is a real bug.
package save

import (
	"os"
	"path/filepath"
)

func noSyncAtAll(name string, data []byte) error {
	tmp := name + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, name) // want `rename-nosync: tmp is renamed into place but the file written through f is never synced` `rename-nodirsync: the rename to name is not followed by a sync of its directory`
}

func createTempNoSync(dir string, data []byte) error {
	f, err := os.CreateTemp(dir, "cfg-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		return err
	}
	f.Close()
	return os.Rename(f.Name(), filepath.Join(dir, "cfg")) // want `rename-nosync` `rename-nodirsync`
}

func syncedButNoDirSync(name string, data []byte) error {
	tmp := name + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(string(data)); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, name) // want `rename-nodirsync: the rename to name`
}

func syncAfterRename(name string, data []byte) error {
	tmpName := name + ".new"
	f, err := os.Create(tmpName)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := os.Rename(tmpName, name); err != nil { // want `sync-after-rename: tmpName is renamed into place before f.Sync\(\)`
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(name))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// viaNameVar renames through a variable holding the file's Name.
func viaNameVar(dir string, data []byte) error {
	f, err := os.CreateTemp(dir, ".x")
	if err != nil {
		return err
	}
	tmp := f.Name()
	f.Write(data)
	f.Close()
	err = os.Rename(tmp, filepath.Join(dir, "x")) // want `rename-nosync` `rename-nodirsync`
	return err
}
