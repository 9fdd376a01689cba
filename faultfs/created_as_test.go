//go:build linux

package faultfs

import (
	"syscall"
	"testing"
)

// TestCreatedAs: an entry given its creator's owner by CreatedAs has that
// owner in every crash state that holds it, under every model, and no op
// is logged for it; the same entry chowned with Lchown has states where it
// exists with the old owner, which is what CreatedAs is for.
func TestCreatedAs(t *testing.T) {
	for _, tc := range []struct {
		name     string
		own      func(m *Mem, name string) error
		wantOps  int
		rootSeen bool // some state holds an entry still owned by root
	}{
		{"CreatedAs", func(m *Mem, name string) error { return m.CreatedAs(name, 65534, 65533) }, 3, false},
		{"Lchown", func(m *Mem, name string) error { return m.Lchown(name, 65534, 65533) }, 6, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMem(WithOwner(0, 0))
			m.MakeDurable()
			if err := m.Mkdir("d", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tc.own(m, "d"); err != nil {
				t.Fatal(err)
			}
			f, err := m.OpenFile("d/f", syscall.O_CREAT|syscall.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			if err := tc.own(m, "d/f"); err != nil {
				t.Fatal(err)
			}
			if err := m.Symlink("f", "d/l"); err != nil {
				t.Fatal(err)
			}
			if err := tc.own(m, "d/l"); err != nil {
				t.Fatal(err)
			}
			creates := 0
			for _, o := range m.Log() {
				if o.Kind != OpClose {
					creates++
				}
			}
			if creates != tc.wantOps {
				t.Errorf("log %v: %d ops besides closes, want %d", m.Log(), creates, tc.wantOps)
			}
			h := m.History()
			rootSeen := false
			for _, model := range []Model{POSIX, Ext4Ordered} {
				for p := 0; p < h.Points(); p++ {
					h.Enumerate(model, p, EnumOptions{}, func(s *CrashState) bool {
						sm := s.Mem()
						for _, name := range []string{"d", "d/f", "d/l"} {
							fi, err := sm.Lstat(name)
							if err != nil {
								continue
							}
							st := fi.Sys().(*syscall.Stat_t)
							switch {
							case st.Uid == 65534 && st.Gid == 65533:
							case st.Uid == 0 && st.Gid == 0:
								rootSeen = true
							default:
								t.Errorf("%s at point %d: %s owned by %d:%d", model, p, name, st.Uid, st.Gid)
							}
						}
						return true
					})
				}
			}
			if rootSeen != tc.rootSeen {
				t.Errorf("a state with an entry still owned by root: %v, want %v", rootSeen, tc.rootSeen)
			}
		})
	}
}

// TestCreatedAsOld: an entry not created since MakeDurable gets a logged chown.
func TestCreatedAsOld(t *testing.T) {
	m := NewMem(WithOwner(0, 0))
	if err := m.Mkdir("d", 0o755); err != nil {
		t.Fatal(err)
	}
	m.MakeDurable()
	if err := m.CreatedAs("d", 7, -1); err != nil {
		t.Fatal(err)
	}
	if log := m.Log(); len(log) != 1 || log[0].Kind != OpChown {
		t.Errorf("log %v, want one chown", log)
	}
	fi, _ := m.Lstat("d")
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 7 || st.Gid != 0 {
		t.Errorf("d owned by %d:%d, want 7:0", st.Uid, st.Gid)
	}
}
