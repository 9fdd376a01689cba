//go:build linux || darwin

package faultfs

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// cloneWorkload sets up a tree with everything Clone must carry over: a
// device, a hard link, a symbolic link, a file written in many pieces and
// an empty one; made durable, then changed again so that the log is not
// empty.
func cloneWorkload(t *testing.T) *Mem {
	t.Helper()
	m := NewMem(WithUmask(0o027), WithQuota(1<<20))
	memMust(t, m.Mkdir("d", 0o755))
	memMust(t, m.Mkdir("dev", 0o755))
	memMust(t, m.AddDevice("dev"))
	memWrite(t, m, "dev/f", "on another device")
	f, err := m.OpenFile("d/pieces", os.O_WRONLY|os.O_CREATE, 0o640)
	memMust(t, err)
	for i := 0; i < 50; i++ {
		_, err := f.Write([]byte(strings.Repeat(string(rune('a'+i%26)), 97*i)))
		memMust(t, err)
	}
	memMust(t, f.Close())
	memMust(t, m.Link("d/pieces", "hard"))
	memMust(t, m.Symlink("d/pieces", "sym"))
	memWrite(t, m, "empty", "")
	m.MakeDurable()
	memWrite(t, m, "d/after", "written after MakeDurable")
	memMust(t, m.Chmod("empty", 0o600))
	return m
}

// memDump prints every name in m's current view with what Lstat and
// reading say of it, inode numbers and link counts included.
func memDump(t *testing.T, m *Mem) string {
	t.Helper()
	var b strings.Builder
	var walk func(dir string)
	walk = func(dir string) {
		ents, err := m.ReadDir(dir)
		memMust(t, err)
		names := make([]string, 0, len(ents))
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, name := range names {
			p := path.Join(dir, name)
			fi, err := m.Lstat(p)
			memMust(t, err)
			st := fi.Sys().(*syscall.Stat_t)
			fmt.Fprintf(&b, "%s %v ino=%d dev=%d nlink=%d uid=%d size=%d", p, fi.Mode(), st.Ino, st.Dev, st.Nlink, st.Uid, fi.Size())
			switch {
			case fi.IsDir():
				b.WriteString("\n")
				walk(p)
			case fi.Mode()&fs.ModeSymlink != 0:
				target, err := m.Readlink(p)
				memMust(t, err)
				fmt.Fprintf(&b, " -> %s\n", target)
			default:
				data, err := ReadFile(m, p)
				memMust(t, err)
				fmt.Fprintf(&b, " %q\n", data)
			}
		}
	}
	walk(".")
	return b.String()
}

// crashDump prints every crash state of m's history under every model.
func crashDump(t *testing.T, m *Mem) string {
	t.Helper()
	h := m.History()
	var b strings.Builder
	for _, model := range Models() {
		for k := 0; k < h.Points(); k++ {
			h.Enumerate(model, k, EnumOptions{}, func(s *CrashState) bool {
				fmt.Fprintf(&b, "%s\n%s", s.Describe(), memDump(t, s.Mem()))
				return true
			})
		}
	}
	return b.String()
}

func TestMemCloneHoldsTheSame(t *testing.T) {
	m := cloneWorkload(t)
	c := m.Clone()
	if got, want := memDump(t, c), memDump(t, m); got != want {
		t.Fatalf("clone holds\n%s\nwant\n%s", got, want)
	}
	if got, want := fmt.Sprint(c.Log()), fmt.Sprint(m.Log()); got != want {
		t.Errorf("clone's log %s, want %s", got, want)
	}
	if got, want := crashDump(t, c), crashDump(t, m); got != want {
		t.Errorf("clone's crash states differ:\n%s\nwant\n%s", got, want)
	}
	if c.Umask() != m.Umask() {
		t.Errorf("clone's umask %04o, want %04o", c.Umask(), m.Umask())
	}
	// New inodes continue the numbering.
	memWrite(t, c, "new", "x")
	memWrite(t, m, "new", "x")
	if got, want := memDump(t, c), memDump(t, m); got != want {
		t.Errorf("after the same create, clone holds\n%s\nwant\n%s", got, want)
	}
	// The options and accounts come along: the quota, what it has used,
	// devices.
	wantErrno(t, "clone: write past the quota", WriteFile(m.Clone(), "big", make([]byte, 1<<20-usedBy(t, m)+1), 0o644), syscall.ENOSPC)
	wantErrno(t, "clone: rename across devices", c.Rename("dev/f", "f"), syscall.EXDEV)
	if err := WriteFile(m.Clone(), "fits", make([]byte, 1<<20-usedBy(t, m)), 0o644); err != nil {
		t.Errorf("clone: write of what is left of the quota: %v", err)
	}
}

// usedBy returns the data bytes m's files hold.
func usedBy(t *testing.T, m *Mem) int {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	return int(m.used)
}

func TestMemCloneIsIndependent(t *testing.T) {
	m := NewMem()
	f, err := m.OpenFile("f", os.O_WRONLY|os.O_CREATE, 0o644)
	memMust(t, err)
	_, err = f.Write([]byte("0123"))
	memMust(t, err)
	c := m.Clone()
	// m's next append continues its page in place, in the arena tail
	// right after the bytes the clone shares: the clone's own append must
	// not land there, nor see m's.
	_, err = f.Write([]byte("mmmm"))
	memMust(t, err)
	g, err := c.OpenFile("f", os.O_WRONLY|os.O_APPEND, 0)
	memMust(t, err)
	_, err = g.Write([]byte("cc"))
	memMust(t, err)
	memMust(t, g.Truncate(9))
	memMust(t, m.Mkdir("only-in-m", 0o755))
	memMust(t, f.Close())
	memMust(t, g.Close())
	for _, fsys := range []struct {
		name string
		m    *Mem
		want string
	}{{"original", m, "0123mmmm"}, {"clone", c, "0123cc\x00\x00\x00"}} {
		data, err := ReadFile(fsys.m, "f")
		memMust(t, err)
		if string(data) != fsys.want {
			t.Errorf("%s holds %q, want %q", fsys.name, data, fsys.want)
		}
	}
	if _, err := c.Stat("only-in-m"); err == nil {
		t.Error("a directory made in the original after Clone is in the clone")
	}
}

// TestMemCloneSharesData: a clone copies no file data, and its durable
// state is the original's, so crash states of the two compare a file's
// content by identity.
func TestMemCloneSharesData(t *testing.T) {
	m := NewMem()
	memWrite(t, m, "f", strings.Repeat("x", 3*pageSize+5))
	m.MakeDurable()
	c := m.Clone()
	memWrite(t, c, "g", "new")
	if m.History().base != c.History().base {
		t.Error("the clone's durable state is not the original's")
	}
	mf, cf := m.root.dir["f"].content(), c.root.dir["f"].content()
	for i := range mf.pages {
		if unsafe.SliceData(mf.pages[i]) != unsafe.SliceData(cf.pages[i]) {
			t.Errorf("page %d of the clone's f is a copy", i)
		}
	}
	mc, err := m.History().FinalState().Content("f")
	memMust(t, err)
	cc, err := c.History().FinalState().Content("f")
	memMust(t, err)
	if len(mc.ext) != 1 || len(cc.ext) != 1 || unsafe.SliceData(mc.ext[0].data) != unsafe.SliceData(cc.ext[0].data) {
		t.Errorf("f's content in the two final states is not the same memory: %d and %d runs", len(mc.ext), len(cc.ext))
	}
}
