package faultfs

import "testing"

// Linux does not truncate a file that open(O_CREAT|O_TRUNC) has just
// created (fs/namei.c, do_open: a FMODE_CREATED file skips the truncate),
// so ext4 never sets auto_da_alloc's flush-on-close for it. Mem logs a
// truncate to zero and marks the close as flushing, so under ext4-ordered
// the classic "Create, write, close, rename to a NEW name, no fsync" never
// shows the zero-length file that real ext4 can leave.
func TestCreateOfNewFileDoesNotTruncate(t *testing.T) {
	m := NewMem()
	m.MakeDurable()
	f, err := m.Create("tmp")
	if err != nil {
		t.Fatal(err)
	}
	if ops := m.Log(); len(ops) != 1 || ops[0].Kind != OpCreate {
		t.Errorf("Create of an absent file logged %v, want only the create", ops)
	}
	if _, err := f.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Rename("tmp", "new"); err != nil {
		t.Fatal(err)
	}
	h := m.History()
	empty := false
	h.Enumerate(Ext4Ordered, len(h.Ops()), EnumOptions{}, func(s *CrashState) bool {
		if c, err := s.Content("new"); err == nil && c.Len() == 0 {
			empty = true
		}
		return true
	})
	if !empty {
		t.Errorf("ext4-ordered: no state with an empty \"new\", as real ext4 can leave after create, write, close, rename to a new name")
	}
}
