//go:build unix

package faultfs

import (
	"bufio"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

var umaskMu sync.Mutex

// processUmask reads the process umask. On Linux it is read from
// /proc/self/status without changing it; elsewhere it is set and restored
// under a lock, which is racy only against code that calls syscall.Umask
// itself.
func processUmask() fs.FileMode {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return fs.FileMode(n) & fs.ModePerm
				}
			}
		}
	}
	umaskMu.Lock()
	defer umaskMu.Unlock()
	old := syscall.Umask(0)
	syscall.Umask(old)
	return fs.FileMode(old) & fs.ModePerm
}
