//go:build !unix && !windows

package writer

import (
	"os"

	"github.com/crashcheck/crashcheck/faultfs"
)

// tempFlags open a temporary file: new and write-only.
const tempFlags = os.O_WRONLY | os.O_CREATE | os.O_EXCL

// canSyncDir reports whether fsys can fsync a directory; assume it can.
func canSyncDir(faultfs.FS) bool { return true }
