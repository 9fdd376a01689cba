package blockdev

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestImageSparse(t *testing.T) {
	m := NewImage(3 * PageSize)
	m.WriteAt(make([]byte, PageSize), 0) // zeros cost nothing
	if m.Stored() != 0 {
		t.Fatalf("a page of zeros is stored")
	}
	m.WriteAt([]byte("abc"), PageSize-1) // straddles pages 0 and 1
	if m.Stored() != 2*PageSize {
		t.Fatalf("stored %d, want two pages", m.Stored())
	}
	got := make([]byte, 5)
	m.ReadAt(got, PageSize-2)
	if !bytes.Equal(got, []byte{0, 'a', 'b', 'c', 0}) {
		t.Fatalf("read %q", got)
	}
	m.Zero(PageSize-1, 3)
	if m.Stored() != 0 {
		t.Fatalf("zeroed pages still stored: %d", m.Stored())
	}
	if n := m.WriteAt([]byte("xy"), 3*PageSize-1); n != 1 {
		t.Fatalf("write past the end wrote %d, want 1", n)
	}
}

func TestLogRoundTrip(t *testing.T) {
	l := randomLog(rand.New(rand.NewPCG(1, 2)), 12)
	l.Info = Info{FS: "ext4", MountOpts: "noauto_da_alloc", Workload: "w", Exit: 3, ExitOK: true}
	var b bytes.Buffer
	if err := l.Encode(&b); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeLog(&b)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Info) != fmt.Sprint(l.Info) || len(got.Entries) != len(l.Entries) {
		t.Fatalf("decoded %+v, want %+v", got.Info, l.Info)
	}
	for i := range l.Entries {
		if got.Entries[i].String() != l.Entries[i].String() || !bytes.Equal(got.Entries[i].Data, l.Entries[i].Data) {
			t.Fatalf("entry %d: %v, want %v", i, got.Entries[i], l.Entries[i])
		}
	}
	if !bytes.Equal(imageBytes(got.Base), imageBytes(l.Base)) {
		t.Fatal("base differs")
	}
	if _, err := DecodeLog(bytes.NewReader([]byte("not a log"))); err == nil {
		t.Fatal("decoded garbage")
	}
}

// randomLog is a log of n requests on a 16-sector device: small writes
// at random sectors, some unaligned, some zeroing, flushes between.
func randomLog(r *rand.Rand, n int) *Log {
	l := &Log{Base: NewImage(16 * SectorSize)}
	l.Base.WriteAt(bytes.Repeat([]byte{7}, 3*SectorSize), 2*SectorSize)
	for i := 0; i < n; i++ {
		switch r.IntN(5) {
		case 0:
			l.Entries = append(l.Entries, Entry{Kind: Flush})
		case 1:
			l.Entries = append(l.Entries, Entry{Kind: Zero, Off: int64(r.IntN(8)) * SectorSize, Len: SectorSize * int64(1+r.IntN(2))})
		default:
			off := int64(r.IntN(14)) * SectorSize
			if r.IntN(4) == 0 {
				off += 100 // unaligned: partial sectors
			}
			data := bytes.Repeat([]byte{byte(1 + r.IntN(3))}, SectorSize*(1+r.IntN(2)))
			l.Entries = append(l.Entries, Entry{Kind: Write, Off: off, Len: int64(len(data)), Data: data})
		}
	}
	return l
}

func imageBytes(m *Image) []byte {
	b := make([]byte, m.size)
	m.ReadAt(b, 0)
	return b
}

// applyState is the brute-force image of a state.
func applyState(l *Log, st State) []byte {
	img := l.Base.Clone()
	writes := l.writeEntries()
	for _, k := range st.Kept() {
		e := writes[k-1]
		if e.Kind == Zero {
			img.Zero(e.Off, e.Len)
		} else {
			img.WriteAt(e.Data, e.Off)
		}
	}
	return imageBytes(img)
}

// TestEnumerateAgainstBruteForce: on random small logs, the enumerated
// states are pairwise different disks, and (exhaustive) every subset of
// every window on top of its flushed prefix is one of them.
func TestEnumerateAgainstBruteForce(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		l := randomLog(r, 1+r.IntN(14))
		en := Enumerate(l, EnumOptions{MaxPerWindow: 1 << 15})
		if !en.Exhaustive {
			t.Fatalf("seed %d: not exhaustive", seed)
		}
		seen := map[string]string{}
		for _, st := range en.States {
			img := string(applyState(l, st))
			if other, dup := seen[img]; dup {
				t.Fatalf("seed %d: %s and %s are the same disk", seed, other, st.Name())
			}
			seen[img] = st.Name()
		}
		// Brute force: every window's every subset.
		w, first := 0, 1
		check := func(last int) {
			n := last - first + 1
			for m := 0; m < 1<<max(n, 0); m++ {
				st := State{Prefix: first - 1}
				for i := 0; i < n; i++ {
					if m&(1<<i) != 0 {
						st.Extra = append(st.Extra, first+i)
					}
				}
				if _, ok := seen[string(applyState(l, st))]; !ok {
					t.Fatalf("seed %d: state %s missing", seed, st.Name())
				}
			}
		}
		for _, e := range l.Entries {
			if e.Kind != Flush {
				w++
				continue
			}
			if w >= first {
				check(w)
				first = w + 1
			}
		}
		check(w)
	}
}

func TestEnumerateSampledIsDeterministic(t *testing.T) {
	l := &Log{Base: NewImage(64 * SectorSize)}
	for i := 0; i < 20; i++ {
		l.Entries = append(l.Entries, Entry{Kind: Write, Off: int64(i) * SectorSize, Len: SectorSize, Data: bytes.Repeat([]byte{byte(i + 1)}, SectorSize)})
	}
	a := Enumerate(l, EnumOptions{MaxPerWindow: 100, Seed: 5})
	b := Enumerate(l, EnumOptions{MaxPerWindow: 100, Seed: 5})
	if a.Exhaustive || len(a.States) < 21 || len(a.States) > 100 {
		t.Fatalf("exhaustive %v, %d states", a.Exhaustive, len(a.States))
	}
	if fmt.Sprint(a.States) != fmt.Sprint(b.States) {
		t.Fatal("same seed, different states")
	}
	if got := a.States[3].Name(); got != "writes 1-3 of the unflushed window 1-20" {
		t.Fatalf("state 3 is %q", got)
	}
}
