package suite

import (
	"io/fs"
	"os"

	"github.com/crashcheck/crashcheck/faultfs"
)

// rewriteChunk is what a buffered writer flushes at a time: Go's bufio
// default and a common copy-loop size.
const rewriteChunk = 4096

// rewriteInPlace is the "open(path, 'r+'); f.seek(0); f.write(data);
// f.truncate()" recipe of countless answers on modifying a file in place,
// and its Go twin with os.O_WRONLY and Truncate at the end: the new content
// is written over the old, a buffer at a time, and the file is cut to the
// new length last. The file keeps its inode, so no temp file and no mode
// to carry over; but a crash between two flushes, or between the last
// flush and the truncation, leaves the new content's beginning spliced onto
// the old content's end, even when only the process dies.
func rewriteInPlace(fsys faultfs.FS, name string, data []byte, perm fs.FileMode) error {
	f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE, perm)
	if err != nil {
		return err
	}
	for rest := data; len(rest) > 0 && err == nil; {
		n := min(len(rest), rewriteChunk)
		_, err = f.Write(rest[:n])
		rest = rest[n:]
	}
	if err == nil {
		err = f.Truncate(int64(len(data)))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func init() {
	registerZoo("rewrite-in-place", "r+ recipe: write the new content over the old in 4 KiB chunks, truncate last (old tail spliced on after a crash)",
		rewriteInPlace,
		Catch{"AtomicReplace", ""}, Catch{"AtomicReplace", "process"}, Catch{"AtomicReplace", "posix"}, Catch{"AtomicReplace", "ext4-ordered"},
		Catch{"Durable", "posix"}, Catch{"Durable", "ext4-ordered"})
}
