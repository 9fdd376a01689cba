package faultfs

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// sparseModel is what a file holds, as its size and its pages that were
// written: a reference that stays small when a file is truncated to
// hundreds of MiB (which turns it sparse, mem_sparse.go).
type sparseModel struct {
	size  int64
	pages map[int64][]byte // page index -> pageSize bytes
}

func newSparseModel() *sparseModel { return &sparseModel{pages: map[int64][]byte{}} }

func (f *sparseModel) write(p []byte, off int64) {
	if len(p) == 0 {
		return // a write of nothing changes nothing, not even the size
	}
	for done := 0; done < len(p); {
		i, in := (off+int64(done))/pageSize, int((off+int64(done))%pageSize)
		pg := f.pages[i]
		if pg == nil {
			pg = make([]byte, pageSize)
			f.pages[i] = pg
		}
		done += copy(pg[in:], p[done:])
	}
	f.size = max(f.size, off+int64(len(p)))
}

func (f *sparseModel) truncate(size int64) {
	for i, pg := range f.pages {
		switch lo := i * pageSize; {
		case lo >= size:
			delete(f.pages, i)
		case lo+pageSize > size:
			clear(pg[size-lo:])
		}
	}
	f.size = size
}

// read returns the n bytes at off (fewer at the end of the file).
func (f *sparseModel) read(off int64, n int) []byte {
	if off >= f.size {
		return nil
	}
	p := make([]byte, min(int64(n), f.size-off))
	for done := 0; done < len(p); {
		i, in := (off+int64(done))/pageSize, int((off+int64(done))%pageSize)
		c := min(len(p)-done, pageSize-in)
		if pg := f.pages[i]; pg != nil {
			copy(p[done:done+c], pg[in:])
		}
		done += c
	}
	return p
}

func (f *sparseModel) clone() *sparseModel {
	c := newSparseModel()
	c.size = f.size
	for i, pg := range f.pages {
		c.pages[i] = bytes.Clone(pg)
	}
	return c
}

// fatalT is what the helpers here need of a test: a *testing.T or a
// *rapid.T.
type fatalT interface {
	Helper()
	Fatal(...any)
	Fatalf(string, ...any)
}

func ok(t fatalT, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// spillable is whether this platform has spill stores.
const spillable = runtime.GOOS == "linux"

// spillFiles are the files the spill property writes.
var spillFiles = []string{"a", "b"}

// TestSpilledDataMatchesModel is the property that spilling changes
// nothing a program sees: under random writes, truncations (some far
// enough to turn a file sparse), reads, MakeDurable and clones, on Mems
// whose budgets make them spill at once or part way, every read returns
// what a reference holds; at the end every Mem taken on the way (clones
// go on, their origins must not change) reads back its own files, and its
// history's final state holds the same.
func TestSpilledDataMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		budget := rapid.SampledFrom([]int64{0, 1, pageSize, 5 * pageSize, 64 << 10}).Draw(t, "budget")
		m := NewMem(WithDataBudget(budget))
		type run struct {
			m     *Mem
			files map[string]*sparseModel
		}
		files := map[string]*sparseModel{}
		for _, name := range spillFiles {
			ok(t, WriteFile(m, name, nil, 0o644))
			files[name] = newSparseModel()
		}
		var done []run
		offset := rapid.OneOf(
			rapid.Int64Range(0, 3*pageSize),
			rapid.SampledFrom([]int64{0, 1, pageSize - 1, pageSize, pageSize + 1, 2 * pageSize}),
			rapid.Int64Range(sparseMinPages*pageSize+1, sparseMinPages*pageSize+3*pageSize),
		)
		length := rapid.OneOf(rapid.IntRange(0, 9), rapid.IntRange(0, 3*pageSize), rapid.IntRange(maxChunk, maxChunk+pageSize))
		seq := 0
		for range rapid.IntRange(1, 30).Draw(t, "ops") {
			name := rapid.SampledFrom(spillFiles).Draw(t, "file")
			ref := files[name]
			switch rapid.IntRange(0, 7).Draw(t, "op") {
			case 0, 1, 2: // write
				off, n := offset.Draw(t, "off"), length.Draw(t, "len")
				if rapid.Bool().Draw(t, "append") {
					off = ref.size
				}
				p := make([]byte, n)
				for i := range p {
					seq++
					p[i] = byte(seq%251 + 1)
				}
				f, err := m.OpenFile(name, os.O_WRONLY, 0)
				ok(t, err)
				if _, err := f.WriteAt(p, off); err != nil {
					t.Fatalf("write %d bytes at %d: %v", n, off, err)
				}
				ok(t, f.Close())
				ref.write(p, off)
			case 3: // truncate
				size := offset.Draw(t, "size")
				ok(t, Truncate(m, name, size))
				ref.truncate(size)
			case 4, 5: // read
				off, n := offset.Draw(t, "roff"), length.Draw(t, "rlen")
				checkRead(t, m, name, ref, off, n)
			case 6:
				m.MakeDurable()
			case 7: // go on in a clone; the original must keep what it holds
				kept := map[string]*sparseModel{}
				for k, v := range files {
					kept[k] = v.clone()
				}
				done = append(done, run{m, kept})
				m = m.Clone()
			}
		}
		done = append(done, run{m, files})
		for i, r := range done {
			final := r.m.History().FinalState()
			for _, name := range spillFiles {
				ref := r.files[name]
				for _, off := range []int64{0, pageSize - 3, sparseMinPages * pageSize} {
					checkRead(t, r.m, name, ref, off, 4*pageSize)
				}
				c, err := final.Content(name)
				ok(t, err)
				if c.Len() != ref.size {
					t.Fatalf("Mem %d: %s's final state holds %d bytes, want %d", i, name, c.Len(), ref.size)
				}
				if ref.size <= 1<<20 && !c.EqualBytes(ref.read(0, int(ref.size))) {
					t.Fatalf("Mem %d: %s's final state differs from the reference", i, name)
				}
			}
		}
	})
}

// checkRead reads n bytes at off of file name in m and compares them with
// the reference.
func checkRead(t fatalT, m *Mem, name string, ref *sparseModel, off int64, n int) {
	t.Helper()
	f, err := m.Open(name)
	ok(t, err)
	defer f.Close()
	p := bytes.Repeat([]byte{0xee}, n)
	got, err := f.ReadAt(p, off)
	if err != nil && err != io.EOF {
		t.Fatal(err)
	}
	if want := ref.read(off, n); !bytes.Equal(p[:got], want) {
		t.Fatalf("%s: read %d at %d: %d bytes, not the %d the reference holds (or other bytes)", name, n, off, got, len(want))
	}
}

// TestSpilledCrashStates: a history recorded by a Mem that spills all its
// data has the crash states of the same workload on a Mem that keeps all
// on the heap, state for state, and so do clones of both, and re-runs
// reusing a spilled run's writes.
func TestSpilledCrashStates(t *testing.T) {
	workload := func(m *Mem, seed byte) {
		f, err := m.OpenFile("f", os.O_RDWR|os.O_CREATE, 0o644)
		must(t, err)
		for i := range 3 {
			p := bytes.Repeat([]byte{seed + byte(i)}, pageSize+i*1000)
			_, err := f.WriteAt(p, int64(i)*pageSize)
			must(t, err)
			if i == 1 {
				must(t, f.Sync())
			}
		}
		must(t, f.Close())
		must(t, WriteFile(m, "g.tmp", bytes.Repeat([]byte{seed}, maxChunk+5), 0o644))
		must(t, m.Rename("g.tmp", "g"))
	}
	setup := func(budget int64) *Mem {
		m := NewMem(WithDataBudget(budget))
		must(t, WriteFile(m, "f", bytes.Repeat([]byte{'o'}, 5*pageSize), 0o644))
		m.MakeDurable()
		return m
	}
	states := func(h *History) []string {
		var out []string
		for _, model := range Models() {
			for point := range h.Points() {
				h.Enumerate(model, point, EnumOptions{MaxStates: 64}, func(st *CrashState) bool {
					var b bytes.Buffer
					fmt.Fprintf(&b, "%s:", st.Describe())
					for _, name := range []string{"f", "g", "g.tmp"} {
						data, err := st.ReadFile(name)
						fmt.Fprintf(&b, " %s=%x/%v", name, sha256.Sum256(data), err)
					}
					out = append(out, b.String())
					return true
				})
			}
		}
		return out
	}
	heap, spilled, pristine := setup(-1), setup(0), setup(0)
	for _, c := range []struct {
		name       string
		heap, told *Mem
	}{
		{"mem", heap, spilled},
		{"clone", heap.Clone(), spilled.Clone()},
	} {
		t.Run(c.name, func(t *testing.T) {
			workload(c.heap, 'a')
			workload(c.told, 'a')
			if c.told.data.own == nil && spillable {
				t.Fatal("the Mem with a budget of 0 opened no spill store")
			}
			want, got := states(c.heap.History()), states(c.told.History())
			t.Logf("%d crash states", len(want))
			if len(want) != len(got) {
				t.Fatalf("%d crash states, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("state %d:\n got %.300s\nwant %.300s", i, got[i], want[i])
				}
			}
			// A re-run sharing the spilled run's writes, and a Mem
			// made from one of its states.
			re := pristine.CloneReusing(c.told.History())
			workload(re, 'a')
			if got := states(re.History()); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatal("a re-run reusing the spilled run's writes has other crash states")
			}
			if !slices.Contains(re.data.stores, c.told.data.own) && spillable {
				t.Fatal("the re-run shares the spilled run's writes without holding its store")
			}
			st := c.told.History().FinalState().Mem()
			for _, name := range []string{"f", "g"} {
				a, err := ReadFile(st, name)
				must(t, err)
				b, err := ReadFile(c.heap, name)
				must(t, err)
				if !bytes.Equal(a, b) {
					t.Fatalf("%s in the final state's Mem differs", name)
				}
			}
		})
	}
}

// TestSpillBudget: a Mem opens no store while its data fits the budget,
// and once over it keeps at most the budget (and the one allocation that
// crossed it) on the heap.
func TestSpillBudget(t *testing.T) {
	const budget = 1 << 20
	m := NewMem(WithDataBudget(budget))
	f, err := m.Create("f")
	must(t, err)
	p := make([]byte, 64<<10)
	for range budget / len(p) / 2 {
		_, err := f.Write(p)
		must(t, err)
	}
	if m.data.own != nil {
		t.Fatalf("a Mem holding %d bytes of a %d budget opened a store", m.data.heap, budget)
	}
	for range 4 * budget / len(p) {
		_, err := f.Write(p)
		must(t, err)
	}
	if !spillable {
		return // the rest is about spilling
	}
	if m.data.own == nil || m.data.heap > budget+maxChunk {
		t.Fatalf("after 4 MiB more: a store %v, %d bytes on the heap of a %d budget", m.data.own != nil, m.data.heap, budget)
	}
	m.MakeDurable()
	if m.data.heap > budget+maxChunk {
		t.Fatalf("after MakeDurable %d bytes on the heap of a %d budget", m.data.heap, budget)
	}
	if NewMem(WithDataBudget(-1)).data.spills(1 << 40) {
		t.Fatal("a Mem without budget would spill")
	}
}

// TestSpillConcurrentClones: clones of one spilled Mem write, read and
// take histories at once (as scenarios.Verify's runs do), each reading
// back its own bytes and the shared set-up's; run it with -race.
func TestSpillConcurrentClones(t *testing.T) {
	set := NewMem(WithDataBudget(0))
	setup := bytes.Repeat([]byte("set-up "), 2*maxChunk/7)
	must(t, WriteFile(set, "s", setup, 0o644))
	set.MakeDurable()
	errs := make(chan error, 4)
	for i := range cap(errs) {
		go func() {
			errs <- func() error {
				c := set.Clone()
				mine := bytes.Repeat([]byte{byte('a' + i)}, maxChunk+i*pageSize)
				for range 3 {
					if err := WriteFile(c, "f", mine, 0o644); err != nil {
						return err
					}
					got, err := c.History().FinalState().ReadFile("f")
					if err != nil {
						return err
					}
					if s, err := ReadFile(c, "s"); err != nil || !bytes.Equal(got, mine) || !bytes.Equal(s, setup) {
						return fmt.Errorf("clone %d reads back other bytes (%v)", i, err)
					}
				}
				return nil
			}()
		}()
	}
	for range cap(errs) {
		must(t, <-errs)
	}
}
