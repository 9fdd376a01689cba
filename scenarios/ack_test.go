package scenarios

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// renameThenAck replaces f with a synced temp file and a rename, acks
// "f", and fsyncs the directory only if syncDir.
func renameThenAck(syncDir bool) func(faultfs.FS) error {
	return func(fsys faultfs.FS) error {
		f, err := fsys.OpenFile("f.tmp", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.Write([]byte("new")); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if err := fsys.Rename("f.tmp", "f"); err != nil {
			return err
		}
		if syncDir {
			if err := faultfs.SyncDir(fsys, "."); err != nil {
				return err
			}
		}
		return faultfs.Ack(fsys, "f")
	}
}

func ackSpec(run func(faultfs.FS) error) Spec {
	return Spec{
		Name:       "ack",
		Setup:      func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "f", []byte("old"), 0o644) },
		Run:        run,
		Invariants: []Invariant{AtomicReplace("f")},
		NoErrors:   true,
	}
}

// TestAtomicReplaceAfterAck: before the program acknowledged f, the old
// content is fine; after it, only the new. A rename acknowledged before
// its directory is fsynced breaks AtomicReplace under posix at the point
// after the ack, and at no earlier point; the same code with the
// directory fsync before the ack passes.
func TestAtomicReplaceAfterAck(t *testing.T) {
	rep, err := Verify(ackSpec(renameThenAck(false)))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rep.Violations, func(v Violation) bool { return v.Model == "posix" })
	if i < 0 {
		t.Fatalf("an ack before the directory fsync passed under posix:\n%s", rep)
	}
	v := rep.Violations[i]
	ack := slices.IndexFunc(rep.Ops, func(op faultfs.Op) bool { return op.Kind == faultfs.OpAck })
	if v.Point != ack+1 || !strings.Contains(v.Detail, `after the acknowledgement #5 ack "f": only the new content`) {
		t.Errorf("violation at point %d (ack is op #%d), want the point right after the ack:\n%s", v.Point, ack, v)
	}
	if !strings.Contains(strings.Join(v.Timeline, "\n"), `#5 ack "f" = ok`) {
		t.Errorf("the timeline does not show the ack:\n%s", v)
	}
	Check(t, ackSpec(renameThenAck(true)))
}

// TestSituationAcks: a crash at the ack's own point comes before it; one
// at the next point after it. AtAck is what the program had written when
// it acknowledged.
func TestSituationAcks(t *testing.T) {
	m := faultfs.NewMem()
	m.MakeDurable()
	if err := faultfs.WriteFile(m, "a", []byte("one"), 0o644); err != nil { // #0 create, #1 write, #2 close
		t.Fatal(err)
	}
	faultfs.Ack(m, "a") // #3
	if err := faultfs.WriteFile(m, "a", []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := m.History()
	var got [][]string
	var atAck []string
	inv := Invariant{Name: "acks", Check: func(s *Situation) error {
		if s.Kind == AfterCrash && s.Model == "process" {
			for len(got) <= s.Point {
				got = append(got, nil)
			}
			got[s.Point] = s.AckLabels()
			for _, a := range s.Acks() {
				atAck = append(atAck, string(s.AtAck(a, "a").Content.Bytes()))
			}
		}
		return nil
	}}
	CheckHistory(h, HistoryOptions{Invariants: []Invariant{inv}})
	if len(got) != h.Points() {
		t.Fatalf("saw %d points, want %d", len(got), h.Points())
	}
	for p, labels := range got {
		if want := p > 3; (len(labels) == 1 && labels[0] == "a") != want {
			t.Errorf("point %d: acks %q, want the ack: %v", p, labels, want)
		}
	}
	if len(atAck) == 0 || slices.ContainsFunc(atAck, func(s string) bool { return s != "one" }) {
		t.Errorf("AtAck = %q, want \"one\" each time", atAck)
	}
}

// TestAcked: Acked is given the labels acknowledged before the crash.
func TestAcked(t *testing.T) {
	var maxSeen int
	inv := Acked("count", func(labels []string, recovered faultfs.FS) error {
		maxSeen = max(maxSeen, len(labels))
		if len(labels) > 3 {
			return errors.New("too many")
		}
		return nil
	})
	spec := logSpecAny()
	spec.Invariants = []Invariant{inv}
	Check(t, spec)
	if maxSeen != 3 {
		t.Errorf("Acked saw at most %d labels, want 3", maxSeen)
	}
}

// logSpecAny is a log of three acknowledged records, on any platform.
func logSpecAny() Spec {
	return Spec{
		Name:  "log",
		Setup: func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "log", nil, 0o644) },
		Run: func(fsys faultfs.FS) error {
			for _, r := range []string{"a", "b", "c"} {
				f, err := fsys.OpenFile("log", os.O_WRONLY|os.O_APPEND, 0)
				if err != nil {
					return err
				}
				_, err = f.Write([]byte(r))
				if err == nil {
					err = f.Sync()
				}
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return err
				}
				faultfs.Ack(fsys, r)
			}
			return nil
		},
		NoErrors: true,
	}
}
