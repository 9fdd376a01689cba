//go:build linux

package fuse

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// TestSpecialFilesThroughMount: mkfifo, mknod of a device and a unix
// socket's bind work on the mount (they used to fail with EOPNOTSUPP), the
// FIFO carries data (the kernel serves it), and each is logged as an
// OpMknod.
func TestSpecialFilesThroughMount(t *testing.T) {
	mem := faultfs.NewMem()
	s := mount(t, mem, Options{})
	dir := s.Dir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			_, err = w.Write([]byte("through the pipe"))
			w.Close()
		}
		done <- err
	}()
	r, err := os.Open(fifo)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := r.Read(buf)
	r.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if string(buf[:n]) != "through the pipe" {
		t.Errorf("read %q from the FIFO", buf[:n])
	}
	dev := filepath.Join(dir, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Fatalf("mknod: %v", err)
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(dev, &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFCHR || st.Rdev != 1<<8|3 {
		t.Errorf("device node: mode %#o rdev %#x", st.Mode, st.Rdev)
	}
	l, err := net.Listen("unix", filepath.Join(dir, "sock"))
	if err != nil {
		t.Fatalf("bind of a unix socket: %v", err)
	}
	l.Close()
	if err := syscall.Lstat(filepath.Join(dir, "sock"), &st); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var kinds []faultfs.OpKind
	for _, o := range mem.Log() {
		if o.Kind == faultfs.OpMknod {
			kinds = append(kinds, o.Kind)
		}
	}
	if len(kinds) != 3 {
		t.Errorf("logged %d mknods, want 3 (fifo, device, socket): %v", len(kinds), mem.Log())
	}
}
