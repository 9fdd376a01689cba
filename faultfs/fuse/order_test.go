//go:build linux

package fuse

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
)

// The ops a program makes arrive at the FS one for one, in program order,
// with their arguments: the property the crash model rests on.
func TestOpsArriveInProgramOrder(t *testing.T) {
	requireExec(t, "python3")
	root, dir := hostDir(t)
	rec := &recorder{FS: root, dir: dir}
	s := mount(t, rec, Options{})
	rec.take()

	run(t, s.Dir(), "python3", "-c", `
import os
fd = os.open("f.tmp", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
os.write(fd, b"hello")
os.pwrite(fd, b"world!", 5)
os.fsync(fd)
os.fdatasync(fd)
os.close(fd)
os.rename("f.tmp", "f")
d = os.open(".", os.O_RDONLY)
os.fsync(d)
os.close(d)
`)
	want := []string{
		"open f.tmp O_WRONLY|O_CREAT|O_EXCL 0640 = ok",
		"write f.tmp off=0 len=5 = ok",
		"write f.tmp off=5 len=6 = ok",
		"fsync f.tmp = ok",
		"fdatasync f.tmp = ok",
		"close f.tmp = ok",
		"rename f.tmp f = ok",
		"fsync . = ok",
	}
	if got := rec.wait(len(want)); !slices.Equal(got, want) {
		t.Errorf("ops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if b, err := os.ReadFile(filepath.Join(dir, "f")); err != nil || string(b) != "helloworld!" {
		t.Errorf("host file: %q, %v", b, err)
	}
}

// A shell's > redirect onto an existing file is an open, then a truncate
// (the kernel sends O_TRUNC as a size change), then the write. The shell
// opens the file, dup2s it onto standard output and closes the descriptor
// it opened: that close(2) follows the truncation, so it is recorded, and
// the exit's close of standard output follows the write.
func TestRedirectTruncatesThenWrites(t *testing.T) {
	root, dir := hostDir(t)
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("old content\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{FS: root, dir: dir}
	s := mount(t, rec, Options{})
	run(t, s.Dir(), "sh", "-c", "echo new > f")
	want := []string{
		"open f O_WRONLY = ok",
		"truncate f size=0 = ok",
		"close f = ok",
		"write f off=0 len=4 = ok",
		"close f = ok",
	}
	if got := rec.wait(len(want)); !slices.Equal(got, want) {
		t.Errorf("ops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// O_APPEND writes land at the FS's end of file.
func TestAppend(t *testing.T) {
	root, dir := hostDir(t)
	if err := os.WriteFile(filepath.Join(dir, "log"), []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{FS: root, dir: dir}
	s := mount(t, rec, Options{})
	run(t, s.Dir(), "sh", "-c", "echo two >> log; echo three >> log")
	if got := run(t, s.Dir(), "cat", "log"); got != "one\ntwo\nthree\n" {
		t.Errorf("log holds %q", got)
	}
	ops := rec.take()
	if !slices.Contains(ops, "write log off=4 len=4 = ok") || !slices.Contains(ops, "write log off=8 len=6 = ok") {
		t.Errorf("appends not at end of file:\n%s", strings.Join(ops, "\n"))
	}
}

// A file opened with O_DSYNC or O_SYNC is opened so on the FS, which makes
// each write durable as it returns: no sync is made up around the write.
func TestSyncOpenFlags(t *testing.T) {
	requireExec(t, "python3")
	root, dir := hostDir(t)
	rec := &recorder{FS: root, dir: dir}
	s := mount(t, rec, Options{})
	run(t, s.Dir(), "python3", "-c", `
import os
fd = os.open("d", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_DSYNC, 0o644)
os.write(fd, b"hello")
os.close(fd)
fd = os.open("d", os.O_WRONLY | os.O_SYNC)
os.write(fd, b"HELLO")
os.close(fd)
`)
	want := []string{
		"open d O_WRONLY|O_CREAT|O_EXCL|O_DSYNC 0644 = ok",
		"write d off=0 len=5 = ok",
		"close d = ok",
		"open d O_WRONLY|O_SYNC = ok",
		"write d off=0 len=5 = ok",
		"close d = ok",
	}
	if got := rec.wait(len(want)); !slices.Equal(got, want) {
		t.Errorf("ops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Descriptors that share one open file (dup) send a FLUSH each and one
// RELEASE: a close is recorded where the program closes a descriptor after
// writing through the file, and only there, so the trace is the same on
// every run and the rename comes after the closes.
func TestDupedDescriptorsCloseInProgramOrder(t *testing.T) {
	requireExec(t, "python3")
	m := faultfs.NewMem(faultfs.WithUmask(0))
	s := mount(t, m, Options{})
	run(t, s.Dir(), "python3", "-c", `
import os
fd = os.open("f", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
os.write(fd, b"one")
fd2 = os.dup(fd)
os.close(fd)
os.write(fd2, b"two")
os.close(fd2)
fd = os.open("g", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
os.write(fd, b"three")
fd2 = os.dup(fd)
os.close(fd)
os.close(fd2)
os.rename("f", "h")
`)
	if !s.WaitClosed(time.Second) {
		t.Fatal("files still open a second after the program exited")
	}
	var got []string
	for _, o := range m.Log() {
		got = append(got, o.String())
	}
	want := []string{
		"#0 create f 0644 = ok",
		"#1 write f off=0 len=3 = ok",
		"#2 close f = ok", // the first close(2): written since the open
		"#3 write f off=3 len=3 = ok",
		"#4 close f = ok", // the second: written since the first
		"#5 create g 0644 = ok",
		"#6 write g off=0 len=5 = ok",
		"#7 close g = ok", // the second close(2) of g follows no write
		"#8 rename f -> h = ok",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Mem's log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if b, err := faultfs.ReadFile(m, "h"); err != nil || string(b) != "onetwo" {
		t.Errorf("h holds %q, %v", b, err)
	}
}
