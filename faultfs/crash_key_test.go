//go:build linux || darwin

package faultfs

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unsafe"

	"pgregory.net/rapid"
)

// scratchKey is the key of s's root computed from scratch: every node
// affected, nothing taken from the reference.
func scratchKey(s *CrashState, fl keyFlavor) treeKey {
	k := &keyer{h: s.h}
	k.reset(fl, keyRef{h: s.h, b: s.p.base}, nil, s)
	v := k.key(s.h.base.root)
	if k.cyclic {
		return s.cutKey(k, map[[2]uint64]treeKey{}, s.h.base.root, 0)
	}
	return v.key
}

// identityCanon prints what the fingerprint promises to tell apart: the
// tree's names, kinds and attributes, each file's inode and the runs of
// memory its content is made of (a directory cycle cut at depth 64).
func identityCanon(s *CrashState) string {
	var b strings.Builder
	var walk func(dir uint64, depth int)
	walk = func(dir uint64, depth int) {
		if depth > cutKeyDepth {
			b.WriteString("cut\n")
			return
		}
		for _, d := range s.entries(dir) {
			n, f := s.h.inode(d.ino), s.file(d.ino)
			fmt.Fprintf(&b, "%s %d:", strings.Repeat(" ", depth), len(d.name))
			b.WriteString(d.name)
			switch n.kind {
			case fs.ModeDir:
				fmt.Fprintf(&b, " dir %v %d:%d {\n", f.mode, f.uid, f.gid)
				walk(d.ino, depth+1)
				b.WriteString("}")
			case fs.ModeSymlink:
				fmt.Fprintf(&b, " -> %q", n.target)
			default:
				fmt.Fprintf(&b, " #%d %v %d:%d %d", d.ino, n.kind|f.mode, f.uid, f.gid, f.cb.size)
				for _, e := range f.cb.ext {
					if e.data == nil {
						fmt.Fprintf(&b, " 0*%d", e.zeros)
					} else {
						fmt.Fprintf(&b, " %p+%d", unsafe.SliceData(e.data), len(e.data))
					}
				}
			}
			b.WriteString("\n")
		}
	}
	walk(s.h.base.root, 0)
	return b.String()
}

// contentCanon prints what a content key promises to tell apart: names,
// types, permission bits, owners, targets and bytes, read through the
// state's public methods (a directory cycle cut at depth 64).
func contentCanon(s *CrashState) (string, error) {
	var b strings.Builder
	var walk func(dir string, depth int) error
	walk = func(dir string, depth int) error {
		if depth > cutKeyDepth {
			b.WriteString("cut\n")
			return nil
		}
		ents, err := s.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			p := joinPath(dir, e.Name())
			fi, err := s.Lstat(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%d:%s %v %v ", len(e.Name()), e.Name(), fi.Mode(), ownerOf(fi))
			switch fi.Mode().Type() {
			case fs.ModeDir:
				b.WriteString("{\n")
				if err := walk(p, depth+1); err != nil {
					return err
				}
				b.WriteString("}")
			case fs.ModeSymlink:
				t, err := s.Readlink(p)
				if err != nil {
					return err
				}
				fmt.Fprintf(&b, "-> %q", t)
			case 0:
				data, err := s.ReadFile(p)
				if err != nil {
					return err
				}
				b.WriteString(canonBytes(data))
			}
			b.WriteString("\n")
		}
		return nil
	}
	err := walk(".", 0)
	return b.String(), err
}

func ownerOf(fi fs.FileInfo) string {
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Uid, st.Gid)
}

// TestKeysAreWhatTheyHash is the property of tree keys (crash_key.go): at
// every crash point of a random workload, under every model, from the
// durable base and from op 0, every candidate state's fingerprint and
// content key, computed incrementally, equal the keys computed from
// scratch; and across the whole history two states share a fingerprint
// exactly when they hold the same tree from the same writes, and a
// content key exactly when they hold the same names, attributes and bytes.
func TestKeysAreWhatTheyHash(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m, _ := refWorkload(t)
		checkKeys(t, m.History())
	})
}

// keyStats counts the states checkKeys saw with a directory cycle.
type keyStats struct{ cyclic int }

// checkKeys checks TestKeysAreWhatTheyHash's property on h.
func checkKeys(t interface{ Fatalf(string, ...any) }, h *History) keyStats {
	var st keyStats
	byFP, byIdentity := map[[2]uint64]string{}, map[string][2]uint64{}
	byKey, byContent := map[[32]byte]string{}, map[string][32]byte{}
	visit := func(s *CrashState) bool {
		fp, ck := s.fingerprint(), s.ContentKey()
		if s.keyer.cyclic {
			st.cyclic++
		}
		if k := scratchKey(s, identityKeys); fp != [2]uint64{k[0], k[1]} {
			t.Fatalf("%s: fingerprint %x, from scratch %x\nops:\n%s", s.Describe(), fp, k, describeOps(h))
		}
		if k := scratchKey(s, contentKeys); ck != [32]byte(appendKey(nil, k)) {
			t.Fatalf("%s: content key %x, from scratch %x\nops:\n%s", s.Describe(), ck, k, describeOps(h))
		}
		id := identityCanon(s)
		c, err := contentCanon(s)
		if err != nil {
			t.Fatalf("%s: %v", s.Describe(), err)
		}
		if was, ok := byFP[fp]; ok && was != id {
			t.Fatalf("%s: fingerprint %x of two trees:\n%s\nand\n%s", s.Describe(), fp, was, id)
		}
		if was, ok := byIdentity[id]; ok && was != fp {
			t.Fatalf("%s: one tree, fingerprints %x and %x:\n%s", s.Describe(), was, fp, id)
		}
		if was, ok := byKey[ck]; ok && was != c {
			t.Fatalf("%s: content key %x of two trees:\n%s\nand\n%s", s.Describe(), ck, was, c)
		}
		if was, ok := byContent[c]; ok && was != ck {
			t.Fatalf("%s: one content, keys %x and %x:\n%s", s.Describe(), was, ck, c)
		}
		byFP[fp], byIdentity[id], byKey[ck], byContent[c] = id, fp, c, ck
		return true
	}
	for _, model := range Models() {
		for point := 0; point < h.Points(); point++ {
			for _, useBase := range []bool{true, false} {
				h.enumerate(model, point, EnumOptions{MaxStates: 64, Seed: 3}, useBase, visit)
			}
		}
	}
	visit(h.InitialState())
	visit(h.FinalState())
	return st
}

// TestKeysOfDirectoryCycles: renames that each persist or not can leave a
// directory inside itself, reachable from the root. Four renames: x out of
// R into y, on into z, back into R, then z into x. A state that keeps the
// second and fourth only holds R/x/z/x/...; the keys hold their property
// there too (a state with a cycle is keyed by the cut walk).
//
// No model's durable base has a cycle (a base holds the settled prefix,
// in which every operation that changes entries is durable: the tree the
// run had then, less lost writes), but the keys do not rely on it: a base
// made of those two renames alone is marked cyclic and keys nothing, and
// a state on it is keyed from scratch.
func TestKeysOfDirectoryCycles(t *testing.T) {
	m := NewMem()
	for _, d := range []string{"R", "R/x", "y", "z"} {
		must(t, m.Mkdir(d, 0o755))
	}
	must(t, WriteFile(m, "R/x/f", []byte("in x"), 0o644))
	m.MakeDurable()
	must(t, m.Rename("R/x", "y/x"))
	must(t, m.Rename("y/x", "z/x"))
	must(t, m.Rename("z/x", "R/x"))
	must(t, m.Rename("z", "R/x/z"))
	h := m.History()
	if st := checkKeys(t, h); st.cyclic == 0 {
		t.Fatalf("no state with a directory cycle")
	}

	base := h.advance(&durableBase{}, len(h.ops), make([]int, len(h.ops)), []bool{false, true, false, true})
	if base.ensureKeys(h, identityKeys) || !base.cyclic {
		t.Fatalf("a base holding a directory cycle has keys")
	}
	p := &plan{point: len(h.ops), base: base}
	p.index(h)
	p.prepare(h)
	s := newCrashState(h, p, "test")
	s.reset(nil)
	if c, err := contentCanon(s); err != nil || !strings.Contains(c, "cut") {
		t.Fatalf("the state on the base holds no cycle (err %v):\n%s", err, c)
	}
	for _, fl := range []keyFlavor{identityKeys, contentKeys} {
		if got, want := s.treeKey(fl), scratchKey(s, fl); got != want || !s.keyer.cyclic {
			t.Errorf("flavour %d: key %x, from scratch %x (cycle seen: %v)", fl, got, want, s.keyer.cyclic)
		}
	}
}

// TestContentKeyAcrossWrites: two files written with the same bytes by
// different writes (one write, or two halves) have one content key and
// different fingerprints; a file differing in one byte has another key.
func TestContentKeyAcrossWrites(t *testing.T) {
	data := refData(7, 200<<10) // more than one content block
	write := func(parts ...[]byte) *CrashState {
		m := NewMem()
		must(t, m.Mkdir("d", 0o755))
		m.MakeDurable()
		f, err := m.OpenFile("d/f", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		must(t, err)
		for _, p := range parts {
			if _, err := f.Write(p); err != nil {
				t.Fatal(err)
			}
		}
		must(t, f.Close())
		return m.History().FinalState()
	}
	one, halves := write(data), write(data[:70000], data[70000:])
	if one.ContentKey() != halves.ContentKey() {
		t.Errorf("the same bytes from one write and from two: content keys %x and %x", one.ContentKey(), halves.ContentKey())
	}
	if one.fingerprint() == halves.fingerprint() {
		t.Errorf("the same bytes from different writes: one fingerprint %x", one.fingerprint())
	}
	other := slices.Clone(data)
	other[150000] ^= 1
	if write(other).ContentKey() == one.ContentKey() {
		t.Errorf("contents differing in one byte: one content key")
	}
}

// TestEntryTree checks the persistent B+tree of directory entries against
// a map, through random sets and removes, and that every earlier version
// still holds what it held.
func TestEntryTree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		names := rapid.IntRange(1, 600).Draw(t, "names")
		name := func(label string) string {
			return fmt.Sprintf("n%04d", rapid.IntRange(0, names-1).Draw(t, label))
		}
		model := map[string]uint64{}
		for i := range rapid.IntRange(0, names).Draw(t, "initial") {
			model[fmt.Sprintf("n%04d", i)] = uint64(i + 1)
		}
		var start []dirent
		for _, n := range slices.Sorted(maps.Keys(model)) {
			start = append(start, dirent{name: n, ino: model[n]})
		}
		tr := entryTreeOf(start)
		type version struct {
			t entryTree
			m map[string]uint64
		}
		versions := []version{{tr, maps.Clone(model)}}
		for i := range rapid.IntRange(0, 400).Draw(t, "ops") {
			n := name("name")
			if rapid.Bool().Draw(t, "set") {
				tr = tr.set(n, uint64(1000+i))
				model[n] = uint64(1000 + i)
			} else {
				tr = tr.remove(n)
				delete(model, n)
			}
			versions = append(versions, version{tr, maps.Clone(model)})
		}
		for i, v := range versions {
			var want []dirent
			for _, n := range slices.Sorted(maps.Keys(v.m)) {
				want = append(want, dirent{name: n, ino: v.m[n]})
			}
			if got := v.t.appendTo(nil); !slices.Equal(got, want) || v.t.len() != len(want) {
				t.Fatalf("version %d: holds %d (len %d), want %d:\n%v\nwant\n%v", i, len(got), v.t.len(), len(want), got, want)
			}
			for j := range names {
				n := fmt.Sprintf("n%04d", j)
				ino, ok := v.t.get(n)
				if wino, wok := v.m[n]; ok != wok || ino != wino {
					t.Fatalf("version %d: get(%s) = %d, %v; want %d, %v", i, n, ino, ok, wino, wok)
				}
			}
		}
	})
}

// TestInoTable checks the persistent inode table against a map, through
// random sets, and that every earlier version still holds what it held.
func TestInoTable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var tab inoTable[int]
		model := map[uint64]int{}
		type version struct {
			t inoTable[int]
			m map[uint64]int
		}
		var versions []version
		for i := range rapid.IntRange(0, 300).Draw(t, "ops") {
			ino := rapid.Uint64Range(1, 1<<rapid.IntRange(1, 40).Draw(t, "bits")).Draw(t, "ino")
			tab = tab.set(ino, i)
			model[ino] = i
			versions = append(versions, version{tab, maps.Clone(model)})
		}
		for i, v := range versions {
			if v.t.len() != len(v.m) {
				t.Fatalf("version %d: len %d, want %d", i, v.t.len(), len(v.m))
			}
			got := map[uint64]int{}
			var order []uint64
			v.t.each(func(ino uint64, x int) { got[ino] = x; order = append(order, ino) })
			if !maps.Equal(got, v.m) || !slices.IsSorted(order) {
				t.Fatalf("version %d: holds %v in order %v, want %v", i, got, order, v.m)
			}
			for ino, x := range v.m {
				if y, ok := v.t.get(ino); !ok || y != x {
					t.Fatalf("version %d: get(%d) = %d, %v; want %d", i, ino, y, ok, x)
				}
			}
			if _, ok := v.t.get(1 << 50); ok {
				t.Fatalf("version %d: holds an inode never set", i)
			}
		}
	})
}

// TestKeysConcurrently: enumerations of one history on several goroutines
// share its durable bases and caches, and each sees the keys a lone
// enumeration sees (run it with -race).
func TestKeysConcurrently(t *testing.T) {
	h, _ := appendHistory(t, 40)
	keys := func() []string {
		var out []string
		for _, m := range []Model{POSIX, Ext4Ordered} {
			for k := 0; k < h.Points(); k++ {
				h.Enumerate(m, k, EnumOptions{}, func(s *CrashState) bool {
					out = append(out, fmt.Sprintf("%x %x", s.fingerprint(), s.ContentKey()))
					return true
				})
			}
		}
		return out
	}
	got := make([][]string, 4)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = keys()
		}()
	}
	wg.Wait()
	want := keys()
	for i, g := range got {
		if !slices.Equal(g, want) {
			t.Fatalf("goroutine %d saw other keys than a lone enumeration", i)
		}
	}
}
