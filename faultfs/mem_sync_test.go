//go:build linux

package faultfs

import (
	"io/fs"
	"os"
	"syscall"
	"testing"
)

// TestMemSyncRules: which of a file's pending changes a crash right after
// a synchronous operation keeps, for each way of syncing: an fsync, an
// fdatasync, or a write through a handle opened with O_SYNC or O_DSYNC.
// The data counts under posix and ext4-ordered; the mode (a chmod made
// before the write) under posix, since ext4-ordered commits every earlier
// metadata operation at any sync.
func TestMemSyncRules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		flag     int
		sync     func(File) error
		dataKept bool // every crash state holds the new data
		modeKept bool // every posix crash state holds the new mode
	}{
		{name: "plain", dataKept: false, modeKept: false},
		{name: "fsync", sync: File.Sync, dataKept: true, modeKept: true},
		{name: "fdatasync", sync: Datasync, dataKept: true, modeKept: false},
		{name: "O_DSYNC", flag: syscall.O_DSYNC, dataKept: true, modeKept: false},
		{name: "O_SYNC", flag: os.O_SYNC, dataKept: true, modeKept: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMem()
			if err := WriteFile(m, "f", []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			m.MakeDurable()
			f, err := m.OpenFile("f", os.O_RDWR|tc.flag, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Chmod(0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt([]byte("newer"), 0); err != nil {
				t.Fatal(err)
			}
			if tc.sync != nil {
				if err := tc.sync(f); err != nil {
					t.Fatal(err)
				}
			}
			h := m.History()
			point := h.Points() - 1 // right after the write or the sync; before close
			for _, model := range []Model{POSIX, Ext4Ordered} {
				dataKept, modeKept := true, true
				h.Enumerate(model, point, EnumOptions{}, func(s *CrashState) bool {
					c, mode, err := s.File("f")
					if err != nil {
						t.Fatalf("%s: %v", model.Name(), err)
					}
					data, _ := s.ReadFile("f")
					dataKept = dataKept && string(data) == "newer" && c.Len() == 5
					modeKept = modeKept && mode.Perm() == fs.FileMode(0o600)
					return true
				})
				if dataKept != tc.dataKept {
					t.Errorf("%s: every state keeps the data: %v, want %v", model.Name(), dataKept, tc.dataKept)
				}
				if model == POSIX && modeKept != tc.modeKept {
					t.Errorf("posix: every state keeps the mode: %v, want %v", modeKept, tc.modeKept)
				}
			}
		})
	}
}

// TestMemSyncWriteTrace: a synchronous write says so in Mem's log.
func TestMemSyncWriteTrace(t *testing.T) {
	m := NewMem()
	f, err := m.OpenFile("f", os.O_WRONLY|os.O_CREATE|syscall.O_DSYNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	log := m.Log()
	if got, want := log[len(log)-1].String(), "#1 write f off=0 len=1 O_DSYNC = ok"; got != want {
		t.Errorf("log shows %q, want %q", got, want)
	}
}
