//go:build unix

package writer

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestNewFileModeUmask sets the process umask, so it must not run in
// parallel with anything that creates files.
func TestNewFileModeUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	for _, umask := range []int{0o000, 0o002, 0o022, 0o027, 0o077} {
		for _, perm := range []os.FileMode{0o600, 0o644, 0o666, 0o755, 0o777} {
			t.Run(fmt.Sprintf("umask%04o/perm%04o", umask, perm), func(t *testing.T) {
				syscall.Umask(umask)
				defer syscall.Umask(0o022)
				name := filepath.Join(dir, fmt.Sprintf("f%o-%o", umask, perm))
				if err := WriteFile(name, []byte("x"), perm); err != nil {
					t.Fatal(err)
				}
				want := perm &^ os.FileMode(umask)
				wantMode(t, name, want)
				// A second replace keeps the mode, whatever the umask now.
				syscall.Umask(0o077)
				if err := WriteFile(name, []byte("y"), 0o600); err != nil {
					t.Fatal(err)
				}
				wantMode(t, name, want)
				wantContent(t, name, "y")
			})
		}
	}
}
