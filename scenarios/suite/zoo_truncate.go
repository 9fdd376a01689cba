package suite

import (
	"io/fs"
	"os"

	"github.com/crashcheck/crashcheck/faultfs"
)

// truncateInPlace is os.WriteFile: open with O_TRUNC, write, close. A crash
// between the truncation and the end of the write leaves an empty or
// partial file, even when the process alone dies.
func truncateInPlace(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) error {
	f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func init() {
	registerZoo("truncate-in-place", "os.WriteFile: truncate the target, then write it (empty file after a crash)",
		truncateInPlace,
		Catch{"AtomicReplace", ""}, Catch{"AtomicReplace", "process"}, Catch{"AtomicReplace", "posix"}, Catch{"AtomicReplace", "ext4-ordered"},
		Catch{"Durable", "posix"}, Catch{"Durable", "ext4-ordered"})
}
