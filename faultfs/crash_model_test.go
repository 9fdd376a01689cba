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
