//go:build linux

package faultfs

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// tickingClock returns a clock that moves one second at every reading.
func tickingClock() func() time.Time {
	t := time.Unix(1_000_000, 0)
	return func() time.Time { t = t.Add(time.Second); return t }
}

type memTimes struct{ a, m, c time.Time }

func timesOf(t *testing.T, m *Mem, name string) memTimes {
	t.Helper()
	fi, err := m.Lstat(name)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return memTimes{time.Unix(st.Atim.Unix()), time.Unix(st.Mtim.Unix()), time.Unix(st.Ctim.Unix())}
}

// TestMemTimes checks which of atime, mtime and ctime each operation moves,
// on the file and on its directory (the rules of mem_times.go).
func TestMemTimes(t *testing.T) {
	cases := []struct {
		name   string
		op     func(t *testing.T, m *Mem)
		watch  string // the name whose times are checked after op
		a, mod bool   // atime, mtime must move (ctime: ch)
		ch     bool
	}{
		{"write moves the file's mtime and ctime", func(t *testing.T, m *Mem) {
			f, _ := m.OpenFile("d/f", os.O_WRONLY, 0)
			f.Write([]byte("x"))
			f.Close()
		}, "d/f", false, true, true},
		{"truncate moves mtime and ctime", func(t *testing.T, m *Mem) {
			f, _ := m.OpenFile("d/f", os.O_WRONLY, 0)
			f.Truncate(1)
			f.Close()
		}, "d/f", false, true, true},
		{"chmod moves ctime only", func(t *testing.T, m *Mem) { m.Chmod("d/f", 0o600) }, "d/f", false, false, true},
		{"chown moves ctime only", func(t *testing.T, m *Mem) { m.Chown("d/f", 1, 1) }, "d/f", false, false, true},
		{"link moves the file's ctime", func(t *testing.T, m *Mem) { m.Link("d/f", "d/g") }, "d/f", false, false, true},
		{"link moves its directory's mtime and ctime", func(t *testing.T, m *Mem) { m.Link("d/f", "d/g") }, "d", false, true, true},
		{"unlink of one name moves the file's ctime", func(t *testing.T, m *Mem) { m.Remove("d/f2") }, "d/f", false, false, true},
		{"rename moves the renamed file's ctime", func(t *testing.T, m *Mem) { m.Rename("d/f", "d/h"); m.Rename("d/h", "d/f") }, "d/f", false, false, true},
		{"rename moves the directory's mtime", func(t *testing.T, m *Mem) { m.Rename("d/f", "f2") }, "d", false, true, true},
		{"create moves the directory's mtime", func(t *testing.T, m *Mem) { m.Mkdir("d/sub", 0o755) }, "d", false, true, true},
		{"stat moves nothing", func(t *testing.T, m *Mem) { m.Stat("d/f") }, "d/f", false, false, false},
		{"read moves atime (relatime: atime not later than mtime)", func(t *testing.T, m *Mem) {
			f, _ := m.Open("d/f")
			f.Read(make([]byte, 4))
			f.Close()
		}, "d/f", true, false, false},
		{"readdir moves the directory's atime", func(t *testing.T, m *Mem) { m.ReadDir("d") }, "d", true, false, false},
		{"chtimes moves ctime besides what it sets", func(t *testing.T, m *Mem) {
			m.Chtimes("d/f", time.Time{}, time.Unix(5, 0))
		}, "d/f", false, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := NewMem()
			m.clock = tickingClock()
			m.MkdirAll("d", 0o755)
			if err := WriteFile(m, "d/f", []byte("data"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := m.Link("d/f", "d/f2"); err != nil {
				t.Fatal(err)
			}
			before := timesOf(t, m, c.watch)
			c.op(t, m)
			after := timesOf(t, m, c.watch)
			moved := func(what string, b, a time.Time, want bool) {
				if got := !a.Equal(b); got != want {
					t.Errorf("%s of %s moved=%v, want %v (before %v, after %v)", what, c.watch, got, want, b, a)
				}
			}
			moved("atime", before.a, after.a, c.a)
			moved("mtime", before.m, after.m, c.mod)
			moved("ctime", before.c, after.c, c.ch)
		})
	}
}

// TestMemRelatime checks the relatime rule: a second read does not move an
// atime already later than mtime and ctime, a read a day later does.
func TestMemRelatime(t *testing.T) {
	m := NewMem()
	now := time.Unix(1_000_000, 0)
	m.clock = func() time.Time { return now }
	WriteFile(m, "f", []byte("data"), 0o644)
	read := func() time.Time {
		now = now.Add(time.Second)
		if _, err := ReadFile(m, "f"); err != nil {
			t.Fatal(err)
		}
		return timesOf(t, m, "f").a
	}
	first := read()
	if second := read(); !second.Equal(first) {
		t.Errorf("second read moved atime from %v to %v; relatime keeps it", first, second)
	}
	now = now.Add(relatimeWindow)
	if third := read(); third.Equal(first) {
		t.Errorf("a read a day later left atime at %v", first)
	}
}

// TestMemLchtimesDoesNotFollow: utimensat(AT_SYMLINK_NOFOLLOW), as touch -h
// and tar x use it, sets the link's times and leaves the target's.
func TestMemLchtimesDoesNotFollow(t *testing.T) {
	m := NewMem()
	WriteFile(m, "f", []byte("x"), 0o644)
	m.Symlink("f", "l")
	target := timesOf(t, m, "f")
	when := time.Unix(12345, 0)
	if err := m.Lchtimes("l", when, when); err != nil {
		t.Fatal(err)
	}
	if got := timesOf(t, m, "l"); !got.m.Equal(when) || !got.a.Equal(when) {
		t.Errorf("link's times %v, want %v", got, when)
	}
	if got := timesOf(t, m, "f"); got.m != target.m || got.a != target.a {
		t.Errorf("target's times moved from %v to %v", target, got)
	}
	if err := m.Chtimes("l", when, when); err != nil {
		t.Fatal(err)
	}
	if got := timesOf(t, m, "f"); !got.m.Equal(when) {
		t.Errorf("Chtimes through the link: target's mtime %v, want %v", got.m, when)
	}
}
