package blockdev

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	fsn := os.Getenv("SMOKE_FS")
	if fsn == "" {
		t.Skip()
	}
	f := Filesystems[fsn]
	t0 := time.Now()
	l, err := Record(RecordOptions{FS: f, Settle: 2 * time.Second, MountOpts: os.Getenv("SMOKE_OPTS"),
		Setup: func(dir string) error { return os.WriteFile(filepath.Join(dir, "f"), []byte("old"), 0o644) },
		Workload: func(dir string) error {
			os.WriteFile(filepath.Join(dir, "f.tmp"), []byte("new content"), 0o644)
			return os.Rename(filepath.Join(dir, "f.tmp"), filepath.Join(dir, "f"))
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("record %v: %d entries, %d writes, base %d KiB, exit %d", time.Since(t0), len(l.Entries), l.Writes(), l.Base.Stored()>>10, l.Info.Exit)
	for i, e := range l.Entries {
		if i < 60 {
			t.Log(e)
		}
	}
	en := Enumerate(l, EnumOptions{})
	t.Logf("%d states (%d candidates, %d windows, exhaustive %v)", len(en.States), en.Candidates, en.Windows, en.Exhaustive)
	t0 = time.Now()
	counts := map[string]int{}
	err = Check(l, en.States, CheckOptions{Targets: []string{"f"}, Fsck: true}, func(o Outcome) {
		k := o.MountErr
		if k == "" {
			fo := o.Files[0]
			k = string(fo.Data) + fo.ReadErr
			if !fo.Present {
				k = "ABSENT"
			}
		}
		if o.Fsck != "" {
			k += " FSCK:" + o.Fsck
		}
		counts[k]++
	})
	d := time.Since(t0)
	t.Logf("check %v: %.0f states/s", d, float64(len(en.States))/d.Seconds())
	for k, n := range counts {
		t.Logf("%5d %q", n, k)
	}
	if err != nil {
		t.Fatal(err)
	}
}
