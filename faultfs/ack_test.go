package faultfs

import (
	"errors"
	"slices"
	"testing"
)

// TestAck: an acknowledgement made through an Injector over a Mem reaches
// the Mem's log as an op of its own, changes nothing on disk, is traced,
// and splits the crash points into those before it and those after it.
func TestAck(t *testing.T) {
	m := NewMem()
	m.MakeDurable()
	inj := NewInjector(m)
	if err := WriteFile(inj, "f", []byte("rec1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SyncDir(inj, "."); err != nil {
		t.Fatal(err)
	}
	if err := Ack(inj, "record 1"); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	if err := Ack(inj, "record 2"); err != nil {
		t.Fatalf("Ack: %v", err)
	}

	trace := inj.Trace()
	if last := trace[len(trace)-1]; last.Kind != OpAck || last.Path != "record 2" || last.String() != `#7 ack "record 2" = ok` {
		t.Errorf("last traced op is %v, want the ack", last)
	}
	log := m.Log()
	var ackOps []int
	for _, o := range log {
		if o.Kind == OpAck {
			ackOps = append(ackOps, o.Index)
		}
	}
	if len(ackOps) != 2 || ackOps[0] != len(log)-2 {
		t.Fatalf("Mem's log %v: want the two acks as its last two ops", log)
	}

	h := m.History()
	for point := 0; point < h.Points(); point++ {
		var got []string
		for _, a := range h.AcksBefore(point) {
			got = append(got, a.Label)
		}
		var want []string
		if point > ackOps[0] {
			want = append(want, "record 1")
		}
		if point > ackOps[1] {
			want = append(want, "record 2")
		}
		if !slices.Equal(got, want) {
			t.Errorf("AcksBefore(%d) = %q, want %q", point, got, want)
		}
		posix := POSIX
		h.Enumerate(posix, point, EnumOptions{}, func(s *CrashState) bool {
			if len(s.Acks()) != len(want) {
				t.Errorf("state at point %d has acks %v, want %q", point, s.Acks(), want)
			}
			return true
		})
	}

	// The ack is no change on disk: the states before and after it are the same.
	count := func(point int) (n int) {
		posix := POSIX
		h.Enumerate(posix, point, EnumOptions{}, func(*CrashState) bool { n++; return true })
		return n
	}
	if before, after := count(ackOps[0]), count(ackOps[0]+1); before != after {
		t.Errorf("posix: %d states before the ack, %d after it: an ack changed the disk", before, after)
	}
}

// TestAckCrashed: an ack at or after a crash fails and reaches no log, so
// a program that crashed before acknowledging has no mark.
func TestAckCrashed(t *testing.T) {
	m := NewMem()
	inj := NewInjector(m, Fault{When: OnNth(1, Kinds(OpAck)), Do: Crash()})
	if err := Ack(inj, "done"); !errors.Is(err, ErrCrashed) {
		t.Fatalf("Ack at a crash: %v, want ErrCrashed", err)
	}
	if log := m.Log(); len(log) != 0 {
		t.Errorf("a crashed ack reached the Mem's log: %v", log)
	}
}

// TestAckNoAcker: on an FS without the capability, Ack does nothing.
func TestAckNoAcker(t *testing.T) {
	inj := NewInjector(OS{})
	if err := Ack(inj, "x"); err != nil {
		t.Errorf("Ack through an Injector over OS: %v", err)
	}
	if err := Ack(OS{}, "x"); err != nil {
		t.Errorf("Ack on OS: %v", err)
	}
	if tr := inj.Trace(); len(tr) != 1 || tr[0].Kind != OpAck {
		t.Errorf("trace %v, want the ack traced even though OS does not record it", tr)
	}
}
