//go:build windows

package writer

import (
	"os"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// tempFlags open a temporary file: new, write-only, not inherited by child
// processes. Windows has no O_NOFOLLOW; O_EXCL already refuses a link
// planted at the name.
const tempFlags = os.O_WRONLY | os.O_CREATE | os.O_EXCL | syscall.O_CLOEXEC

// canSyncDir reports whether fsys can fsync a directory: Windows cannot
// (FlushFileBuffers on a directory handle is refused), other file systems,
// such as faultfs.Mem, can.
func canSyncDir(fsys faultfs.FS) bool {
	switch fsys.(type) {
	case faultfs.OS, *faultfs.Root:
		return false
	}
	return true
}
