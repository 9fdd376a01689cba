package faultfs

import (
	"errors"
	"os"
	"sort"
	"syscall"
	"testing"
)

// TestInjectFsyncgate: through the injector, a failed fsync on Mem loses
// the file's unsynced data from the durable view, and the retry that then
// succeeds does not bring it back, so code that retries an fsync is caught
// by the posix model. Without the fault, the same fsync makes it durable.
func TestInjectFsyncgate(t *testing.T) {
	run := func(t *testing.T, faults ...Fault) (contents []string, syncErrs [2]error) {
		m := NewMem()
		if err := WriteFile(m, "f", []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		m.MakeDurable()
		inj := NewInjector(m, faults...)
		f, err := inj.OpenFile("f", os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte("new")); err != nil {
			t.Fatal(err)
		}
		syncErrs[0] = f.Sync()
		syncErrs[1] = f.Sync()
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if data, err := ReadFile(m, "f"); err != nil || string(data) != "new" {
			t.Fatalf("after the fsyncs, reads see %q, %v; want the written data", data, err)
		}
		h := m.History()
		posix := POSIX
		seen := map[string]bool{}
		h.Enumerate(posix, h.Points()-1, EnumOptions{}, func(s *CrashState) bool {
			data, err := s.ReadFile("f")
			if err != nil {
				seen["error: "+ErrString(err)] = true
			} else {
				seen[string(data)] = true
			}
			return true
		})
		for c := range seen {
			contents = append(contents, c)
		}
		sort.Strings(contents)
		return contents, syncErrs
	}

	t.Run("failed", func(t *testing.T) {
		contents, errs := run(t, Fault{When: OnNth(1, Kinds(OpSync)), Do: Errno(syscall.EIO)})
		if !errors.Is(errs[0], syscall.EIO) || errs[1] != nil {
			t.Fatalf("fsyncs returned %v, %v; want EIO, then success", errs[0], errs[1])
		}
		lost := false
		for _, c := range contents {
			lost = lost || c != "new"
		}
		if !lost {
			t.Errorf("after a failed fsync and a successful retry, every crash keeps %q: the failure lost nothing", contents)
		}
	})
	t.Run("control", func(t *testing.T) {
		contents, errs := run(t)
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("fsyncs: %v, %v", errs[0], errs[1])
		}
		if len(contents) != 1 || contents[0] != "new" {
			t.Errorf("after a successful fsync, crash states hold %q, want only \"new\"", contents)
		}
	})
}

// TestInjectSyncRetry: which errno an fsync fails with decides what a
// successful retry means. A writeback error (EIO, ENOSPC, EDQUOT) loses the
// unsynced data, so the retry's success is a lie in some crash state; any
// other errno (EINTR: the call was interrupted) leaves it pending, so
// pg_fsync's retry-on-EINTR loop makes it durable in every crash state
// after the retry, under every model.
func TestInjectSyncRetry(t *testing.T) {
	for _, tc := range []struct {
		errno syscall.Errno
		lost  bool
	}{
		{syscall.EINTR, false},
		{syscall.EACCES, false},
		{syscall.EROFS, false},
		{syscall.EIO, true},
		{syscall.ENOSPC, true},
		{syscall.EDQUOT, true},
	} {
		t.Run(ErrnoName(tc.errno), func(t *testing.T) {
			m := NewMem()
			if err := WriteFile(m, "f", []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			m.MakeDurable()
			inj := NewInjector(m, Fault{When: OnNth(1, Kinds(OpSync)), Do: Errno(tc.errno)})
			f, err := inj.OpenFile("f", os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("new")); err != nil {
				t.Fatal(err)
			}
			// pg_fsync: retry while interrupted; here any error is retried once.
			if err := f.Sync(); !errors.Is(err, tc.errno) {
				t.Fatalf("first fsync: %v, want %v", err, tc.errno)
			}
			if err := f.Sync(); err != nil {
				t.Fatalf("retried fsync: %v", err)
			}
			retried := len(m.Log()) // the crash points from here on follow the retry
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			h := m.History()
			for _, model := range Models() {
				lostAt := -1
				for point := retried; point < h.Points(); point++ {
					h.Enumerate(model, point, EnumOptions{}, func(s *CrashState) bool {
						if data, err := s.ReadFile("f"); err != nil || string(data) != "new" {
							lostAt = point
							return false
						}
						return true
					})
				}
				switch {
				case !tc.lost && lostAt >= 0:
					t.Errorf("%s: after %s and a successful retry, a crash at point %d does not keep the data", model.Name(), ErrnoName(tc.errno), lostAt)
				case tc.lost && lostAt < 0 && model != Process:
					t.Errorf("%s: after %s (a writeback error) and a successful retry, every crash keeps the data: the failure lost nothing", model.Name(), ErrnoName(tc.errno))
				}
			}
		})
	}
}
