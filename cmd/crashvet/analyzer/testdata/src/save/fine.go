package save

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
)

// durable is the whole recipe: nothing to report.
func durable(name string, data []byte) error {
	tmp := name + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		return err
	}
	return syncDir(filepath.Dir(name))
}

// encoded writes through a bufio.Writer and a json.Encoder, syncs in a
// deferred closure... and leaves the directory to a helper of the package.
func encoded(name string, v any) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "enc")
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	f.Close()
	if err := os.Rename(f.Name(), name); err != nil {
		return err
	}
	return finish(name)
}

func finish(name string) error { return syncDir(filepath.Dir(name)) }

// handedOff passes the file to a function that may sync it: not followed.
func handedOff(name string, data []byte) error {
	f, err := os.Create(name + ".tmp")
	if err != nil {
		return err
	}
	if err := writeAndSync(f, data); err != nil {
		return err
	}
	return os.Rename(name+".tmp", name)
}

func writeAndSync(f *os.File, data []byte) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Sync()
}

// moveOnly renames a file it did not write: the caller's business.
func moveOnly(a, b string) error { return os.Rename(a, b) }

// otherFile renames a different file from the one it wrote.
func otherFile(name, other string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	f.Write(data)
	f.Sync()
	f.Close()
	return os.Rename(other, name+".old")
}
