package faultfs

import "testing"

// TestModelValues: the exported models are the ones Models lists and
// ParseModel finds, in the documented order.
func TestModelValues(t *testing.T) {
	want := []struct {
		m    Model
		name string
	}{{Process, "process"}, {POSIX, "posix"}, {Ext4Ordered, "ext4-ordered"}, {XFS, "xfs"}, {Btrfs, "btrfs"}}
	all := Models()
	if len(all) != len(want) {
		t.Fatalf("Models() has %d models, want %d", len(all), len(want))
	}
	for k, w := range want {
		if w.m.Name() != w.name {
			t.Errorf("model %d is named %q, want %q", k, w.m.Name(), w.name)
		}
		if all[k] != w.m {
			t.Errorf("Models()[%d] = %s, want %s", k, all[k].Name(), w.name)
		}
		if p, err := ParseModel(w.name); err != nil || p != w.m {
			t.Errorf("ParseModel(%q) = %v, %v", w.name, p, err)
		}
	}
	if got := ModelNames(); got != "process|posix|ext4-ordered|xfs|btrfs" {
		t.Errorf("ModelNames() = %q", got)
	}
	def := DefaultModels()
	if len(def) != 3 || def[0] != Process || def[1] != POSIX || def[2] != Ext4Ordered {
		t.Errorf("DefaultModels() = %v, want process, posix, ext4-ordered", def)
	}
}

// TestExt4Exhaustive: ext4-ordered offers every journal prefix times
// every subset of the pending writes exactly when they number at most
// MaxStates, without overflowing for many writes.
func TestExt4Exhaustive(t *testing.T) {
	for _, c := range []struct {
		meta, data, max int
		want            bool
	}{
		{0, 0, 1, true},
		{3, 2, 16, true},  // 4 prefixes x 4 subsets
		{3, 2, 15, false}, // one too many
		{0, 12, 4096, true},
		{0, 13, 4096, false},
		{7, 60, 2, false}, // 8<<60 overflows int64: once taken for "at most 2"
		{0, 61, 1 << 62, true},
		{1, 61, 1 << 62, true},
		{2, 61, 1 << 62, false},
		{0, 62, 1 << 62, false},
	} {
		if got := ext4Exhaustive(c.meta, c.data, c.max); got != c.want {
			t.Errorf("ext4Exhaustive(%d meta, %d data, max %d) = %v, want %v", c.meta, c.data, c.max, got, c.want)
		}
	}
}
