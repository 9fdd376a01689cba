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
		posix, err := ParseModel("posix")
		if err != nil {
			t.Fatal(err)
		}
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
