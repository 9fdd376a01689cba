//go:build linux || darwin

package faultfs

import (
	"bytes"
	"os"
	"testing"
	"unsafe"
)

// TestCloneReusing: a re-run's write keeps the reference run's memory
// exactly when it writes the same bytes (or a prefix of them) at the same
// log index and offset, filling its pages alone; whatever it reuses, the
// re-run reads back what it wrote, and later writes change neither run.
func TestCloneReusing(t *testing.T) {
	const size = 3*pageSize + 100
	data := refData(1, size)
	other := refData(2, size)
	type step struct {
		p   []byte
		off int64
	}
	cases := []struct {
		name   string
		setup  []byte // the target's content before the runs
		rerun  step   // what the re-run writes where the reference wrote data at 0
		shared bool
	}{
		{"same bytes", nil, step{data, 0}, true},
		{"short write: a prefix", nil, step{data[:size/2], 0}, true},
		{"a prefix ending mid-page at the file's end", nil, step{data[:pageSize+7], 0}, true},
		{"other bytes", nil, step{other, 0}, false},
		{"last byte differs", nil, step{append(data[:size-1:size-1], ^data[size-1]), 0}, false},
		{"a longer write", nil, step{append(bytes.Clone(data), 'x'), 0}, false},
		{"same bytes over a longer file: old bytes share its last page", refData(3, size+10), step{data, 0}, false},
		{"same bytes over a file ending at a page", refData(3, 4*pageSize), step{data[:3*pageSize], 0}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := NewMem()
			must(t, WriteFile(set, "f", c.setup, 0o644))
			set.MakeDurable()
			write := func(m *Mem, p []byte, off int64) {
				f, err := m.OpenFile("f", os.O_WRONLY, 0)
				must(t, err)
				if _, err := f.WriteAt(p, off); err != nil {
					t.Fatal(err)
				}
				must(t, f.Close())
			}
			ref := set.Clone()
			write(ref, data, 0)
			rh := ref.History()
			refBytes := bytes.Clone(ref.log[0].data)

			re := set.CloneReusing(rh)
			write(re, c.rerun.p, c.rerun.off)
			logged := re.log[0].data
			if got := unsafe.SliceData(logged) == unsafe.SliceData(rh.ops[0].data); got != c.shared {
				t.Errorf("write shares the reference's memory: %v, want %v", got, c.shared)
			}
			if !bytes.Equal(logged, c.rerun.p) {
				t.Errorf("the log holds %d bytes that are not the %d written", len(logged), len(c.rerun.p))
			}
			want := bytes.Clone(c.setup)
			if len(want) < len(c.rerun.p) {
				want = append(want, make([]byte, len(c.rerun.p)-len(want))...)
			}
			copy(want, c.rerun.p)
			got, err := ReadFile(re, "f")
			must(t, err)
			if !bytes.Equal(got, want) {
				t.Fatalf("the re-run reads back %d bytes, not the %d it left", len(got), len(want))
			}
			if c.shared {
				c1, _ := rh.FinalState().Content("f")
				c2, _ := re.History().FinalState().Content("f")
				if len(c.rerun.p) == size && !c1.Equal(c2) {
					t.Error("the runs' final contents differ")
				}
			}
			// Later writes into the shared pages: each run sees its own.
			write(re, []byte("zz"), 5)
			write(ref, []byte("yy"), pageSize+5)
			if !bytes.Equal(rh.ops[0].data, refBytes) {
				t.Fatal("a write of the re-run changed the reference's logged bytes")
			}
			got, _ = ReadFile(re, "f")
			copy(want[5:], "zz")
			if !bytes.Equal(got, want) {
				t.Fatal("the re-run does not read back what it wrote last")
			}
			rb, _ := ReadFile(ref, "f")
			if rb[5] != data[5] || string(rb[pageSize+5:pageSize+7]) != "yy" {
				t.Fatal("the reference does not read back what it wrote")
			}
			// And a snapshot of the re-run holds its bytes.
			re.MakeDurable()
			if s, _ := re.History().InitialState().ReadFile("f"); !bytes.Equal(s, want) {
				t.Fatal("the re-run's durable state is not what it wrote")
			}
		})
	}
}
