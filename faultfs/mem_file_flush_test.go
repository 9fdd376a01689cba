package faultfs

import (
	"os"
	"slices"
	"testing"
)

// CloseDescriptor logs a close where it is called if the file was written
// or truncated since its open or its last logged close, and keeps the file
// open; Close then logs one only after writes since. Through an Injector
// the same happens, and the injector traces every call.
func TestCloseDescriptor(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps string // w: write, t: truncate to 0, d: CloseDescriptor, c: Close
		want  []OpKind
	}{
		{"write, flush, release", "wdc", []OpKind{OpWrite, OpClose}},
		{"write, release", "wc", []OpKind{OpWrite, OpClose}},
		{"flush twice", "wddc", []OpKind{OpWrite, OpClose}},
		{"write between flushes", "wdwdc", []OpKind{OpWrite, OpClose, OpWrite, OpClose}},
		{"write after the last flush", "wdwc", []OpKind{OpWrite, OpClose, OpWrite, OpClose}},
		{"truncate, flush, write, flush", "tdwdc", []OpKind{OpTruncate, OpClose, OpWrite, OpClose}},
		{"nothing written", "ddc", nil},
	} {
		for _, inject := range []bool{false, true} {
			name := tc.name
			if inject {
				name += "/injector"
			}
			t.Run(name, func(t *testing.T) {
				m := NewMem()
				if err := WriteFile(m, "f", []byte("old"), 0o644); err != nil {
					t.Fatal(err)
				}
				m.MakeDurable()
				var fsys FS = m
				var inj *Injector
				if inject {
					inj = NewInjector(m)
					fsys = inj
				}
				f, err := fsys.OpenFile("f", os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				var traced []OpKind
				for _, s := range tc.steps {
					switch s {
					case 'w':
						_, err = f.Write([]byte("x"))
						traced = append(traced, OpWrite)
					case 't':
						err = f.Truncate(0)
						traced = append(traced, OpTruncate)
					case 'd':
						err = f.(DescriptorCloser).CloseDescriptor()
						traced = append(traced, OpClose)
					case 'c':
						err = f.Close()
						traced = append(traced, OpClose)
					}
					if err != nil {
						t.Fatalf("step %c: %v", s, err)
					}
				}
				var got []OpKind
				for _, o := range m.Log() {
					got = append(got, o.Kind)
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("Mem logged %v, want %v", got, tc.want)
				}
				if inj != nil {
					var kinds []OpKind
					for _, o := range inj.Trace()[1:] { // after the open
						kinds = append(kinds, o.Kind)
					}
					if !slices.Equal(kinds, traced) {
						t.Errorf("injector traced %v, want %v", kinds, traced)
					}
				}
			})
		}
	}
}

// A close logged by CloseDescriptor after truncating to zero carries the
// writes since, under ext4-ordered, as Close does: once a later fsync
// commits the journal, no crash state loses them.
func TestCloseDescriptorFlushesAfterTruncation(t *testing.T) {
	m := NewMem()
	if err := WriteFile(m, "f", []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	m.MakeDurable()
	f, err := m.OpenFile("f", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("new")); err != nil {
		t.Fatal(err)
	}
	if err := f.(DescriptorCloser).CloseDescriptor(); err != nil {
		t.Fatal(err)
	}
	d, err := m.Open(".")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	h := m.History()
	seen := 0
	h.Enumerate(Ext4Ordered, h.Points()-1, EnumOptions{}, func(s *CrashState) bool {
		seen++
		if b, err := ReadFile(s.Mem(), "f"); err != nil || string(b) != "new" {
			t.Errorf("a crash state holds %q, %v; want the flushed %q", b, err, "new")
		}
		return true
	})
	if seen == 0 {
		t.Fatal("no crash state enumerated")
	}
	f.Close()
}
