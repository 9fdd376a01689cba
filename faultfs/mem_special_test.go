//go:build linux

package faultfs

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"
)

// TestMemMknod: each type of special file is made with its type, mode
// (umask applied) and device number, and the errors are mknod(2)'s.
func TestMemMknod(t *testing.T) {
	cases := []struct {
		name string
		mode fs.FileMode
		dev  uint64
		want error
		st   uint32 // S_IFMT bits
	}{
		{"fifo", fs.ModeNamedPipe | 0o666, 0, nil, syscall.S_IFIFO},
		{"sock", fs.ModeSocket | 0o755, 0, nil, syscall.S_IFSOCK},
		{"chr", fs.ModeDevice | fs.ModeCharDevice | 0o600, 1<<8 | 3, nil, syscall.S_IFCHR},
		{"blk", fs.ModeDevice | 0o660, 8<<8 | 1, nil, syscall.S_IFBLK},
		{"reg", 0o644, 0, nil, syscall.S_IFREG},
		{"dir", fs.ModeDir | 0o755, 0, syscall.EPERM, 0},
		{"link", fs.ModeSymlink | 0o777, 0, syscall.EINVAL, 0},
		{"exists", fs.ModeNamedPipe | 0o644, 0, syscall.EEXIST, 0},
		{"nodir/x", fs.ModeNamedPipe | 0o644, 0, syscall.ENOENT, 0},
	}
	m := NewMem(WithUmask(0o022))
	WriteFile(m, "exists", nil, 0o644)
	for _, c := range cases {
		err := m.Mknod(c.name, c.mode, c.dev)
		if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
			t.Errorf("mknod %s %v: %v, want %v", c.name, c.mode, err, c.want)
			continue
		}
		if c.want != nil {
			continue
		}
		fi, err := m.Lstat(c.name)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Mode&syscall.S_IFMT != c.st || fi.Mode().Perm() != c.mode.Perm()&^0o022 || uint64(st.Rdev) != c.dev {
			t.Errorf("%s: st_mode %#o rdev %#x, want type %#o perm %v rdev %#x", c.name, st.Mode, st.Rdev, c.st, c.mode.Perm()&^0o022, c.dev)
		}
	}
	if _, err := m.OpenFile("fifo", os.O_RDONLY, 0); !errors.Is(err, syscall.ENXIO) {
		t.Errorf("open of a FIFO in Mem: %v, want ENXIO", err)
	}
	if err := m.Remove("chr"); err != nil {
		t.Errorf("unlink of a device node: %v", err)
	}
	ents, _ := m.ReadDir(".")
	types := map[string]fs.FileMode{}
	for _, e := range ents {
		types[e.Name()] = e.Type()
	}
	if types["fifo"] != fs.ModeNamedPipe || types["sock"] != fs.ModeSocket || types["blk"] != fs.ModeDevice {
		t.Errorf("readdir types: %v", types)
	}
}

// TestMknodCrashStates: a FIFO or device node is a directory entry like a
// created file: logged as an OpMknod, pending until its directory is
// synced, durable after, with its type and device number.
func TestMknodCrashStates(t *testing.T) {
	m := NewMem()
	m.Mkdir("d", 0o755)
	m.MakeDurable()
	if err := m.Mknod("d/dev", fs.ModeDevice|fs.ModeCharDevice|0o600, 1<<8|5); err != nil {
		t.Fatal(err)
	}
	d, _ := m.Open("d")
	d.Sync()
	d.Close()
	h := m.History()
	if k := h.Ops()[0].Kind; k != OpMknod {
		t.Fatalf("logged as %v, want mknod", k)
	}
	count := func(point int) (with, without int) {
		h.Enumerate(POSIX, point, EnumOptions{}, func(s *CrashState) bool {
			fi, err := s.Lstat("d/dev")
			if err != nil {
				without++
				return true
			}
			with++
			if fi.Mode().Type() != fs.ModeDevice|fs.ModeCharDevice {
				t.Errorf("crash state's node: mode %v", fi.Mode())
			}
			mm := s.Mem()
			fi, err = mm.Lstat("d/dev")
			if err != nil || uint64(fi.Sys().(*syscall.Stat_t).Rdev) != 1<<8|5 {
				t.Errorf("a Mem built from the state: %v, %v", fi, err)
			}
			return true
		})
		return
	}
	if w, wo := count(1); w != 1 || wo != 1 {
		t.Errorf("before the directory fsync: %d states with the node, %d without; want 1 and 1", w, wo)
	}
	if w, wo := count(h.Points() - 1); w != 1 || wo != 0 {
		t.Errorf("after the directory fsync: %d states with the node, %d without; want 1 and 0", w, wo)
	}
}
