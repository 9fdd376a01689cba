//go:build unix

package writer

import (
	"os"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// tempFlags open a temporary file: new (never an existing file or a link
// planted at its name), write-only, not inherited by child processes.
const tempFlags = os.O_WRONLY | os.O_CREATE | os.O_EXCL | syscall.O_NOFOLLOW | syscall.O_CLOEXEC

// canSyncDir reports whether fsys can fsync a directory: every unix can.
func canSyncDir(faultfs.FS) bool { return true }
