//go:build linux

package blockdev

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
)

var record = flag.Bool("record", false, "record the soundness workloads afresh on the kernel filesystems and rewrite testdata/recordings (root, loop devices, mkfs tools)")

// soundnessConfig is a kernel filesystem with mount options, and the
// models whose outcomes must include every outcome it showed.
type soundnessConfig struct {
	name      string
	fs        string
	mountOpts string
	models    []faultfs.Model
}

var soundnessConfigs = []soundnessConfig{
	{"ext4", "ext4", "", []faultfs.Model{faultfs.POSIX, faultfs.Ext4Ordered}},
	{"ext4-noauto_da_alloc", "ext4", "noauto_da_alloc", []faultfs.Model{faultfs.POSIX}},
	{"xfs", "xfs", "", []faultfs.Model{faultfs.POSIX, faultfs.XFS}},
	// btrfs commits every 30 s by default; commit=5 keeps the recording
	// short and lets the commit fall in the settle window.
	{"btrfs", "btrfs", "commit=5", []faultfs.Model{faultfs.POSIX, faultfs.Btrfs}},
}

// soundnessRow is one line of the outcome table.
type soundnessRow struct {
	workload, config    string
	kernel, kernelAfter outcomeSet
	model, modelAfter   map[string]outcomeSet
	states              int
	fsckFailed          int
	perSecond           float64
}

// TestModelSoundness replays the recorded workloads on real ext4, xfs
// and btrfs and checks that every outcome of the target a kernel
// produced is one the models claimed for that filesystem allow: posix
// for all, ext4-ordered for ext4 with its default options, xfs for xfs
// and btrfs for btrfs. Outcomes a
// model allows that no kernel showed (its looseness) are reported, not
// failed. With -record the workloads are recorded afresh first.
func TestModelSoundness(t *testing.T) {
	if err := Available(); err != nil {
		t.Skipf("kernel filesystems cannot be mounted here: %v", err)
	}
	var rows []soundnessRow
	for _, cfg := range soundnessConfigs {
		fsys := Filesystems[cfg.fs]
		for _, w := range workloads {
			for _, slow := range []bool{false, true} {
				name := w.name
				if slow {
					name += "-slow"
				}
				t.Run(cfg.name+"/"+name, func(t *testing.T) {
					if err := fsys.Available(); err != nil {
						t.Skip(err)
					}
					l := soundnessLog(t, cfg, fsys, w, name, slow)
					row := checkSoundness(t, cfg, w, l)
					row.workload, row.config = name, cfg.name
					rows = append(rows, row)
				})
			}
		}
	}
	t.Log("outcome table:\n" + outcomeTable(rows))
}

func recordingPath(cfg soundnessConfig, name string) string {
	return filepath.Join("testdata", "recordings", cfg.name, name+".log.gz")
}

// soundnessLog records the workload (with -record) or reads its recording.
func soundnessLog(t *testing.T, cfg soundnessConfig, fsys *Filesystem, w workload, name string, slow bool) *Log {
	path := recordingPath(cfg, name)
	if !*record {
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("no recording (run scripts/record-kernelfs.sh): %v", err)
		}
		defer f.Close()
		l, err := DecodeLog(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return l
	}
	pause := time.Duration(0)
	if slow {
		pause = slowPause
	}
	l, err := Record(RecordOptions{
		FS: fsys, MountOpts: cfg.mountOpts, Settle: -1, Name: name,
		Setup: func(dir string) error { return os.WriteFile(filepath.Join(dir, target), oldContent, 0o644) },
		Workload: func(dir string) error {
			root, err := faultfs.OpenRoot(dir)
			if err != nil {
				return err
			}
			defer root.Close()
			return w.run(root, pause)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := l.Encode(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s: %d requests, %d writes, %d KiB base in memory, %d KiB compressed",
		path, len(l.Entries), l.Writes(), l.Base.Stored()>>10, b.Len()>>10)
	return l
}

func checkSoundness(t *testing.T, cfg soundnessConfig, w workload, l *Log) soundnessRow {
	if !l.Info.ExitOK {
		t.Fatalf("the recorded workload failed")
	}
	en := Enumerate(l, EnumOptions{MaxPerWindow: 64})
	row := soundnessRow{kernel: outcomeSet{}, kernelAfter: outcomeSet{},
		model: map[string]outcomeSet{}, modelAfter: map[string]outcomeSet{}, states: len(en.States)}
	start := time.Now()
	err := Check(l, en.States, CheckOptions{Targets: []string{target}, Fsck: true}, func(o Outcome) {
		oc := outUnmounted
		if o.MountErr == "" {
			f := o.Files[0]
			oc = classify(f.Present, f.Data, f.ReadErr)
		} else {
			t.Errorf("state %s did not mount: %s", o.State.Name(), o.MountErr)
		}
		if o.Fsck != "" {
			row.fsckFailed++
			t.Errorf("state %s: the filesystem's checker flags it: %s", o.State.Name(), o.Fsck)
		}
		row.kernel[oc] = true
		if o.State.AfterExit {
			row.kernelAfter[oc] = true
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	row.perSecond = float64(len(en.States)) / time.Since(start).Seconds()
	for _, m := range cfg.models {
		any, after, err := modelOutcomes(w, m)
		if err != nil {
			t.Fatal(err)
		}
		row.model[m.Name()], row.modelAfter[m.Name()] = any, after
		if d := row.kernel.minus(any); len(d) > 0 {
			t.Errorf("%s on %s showed %s, which %s does not allow (it allows %s)", w.name, cfg.name, d, m.Name(), any)
		}
		if d := row.kernelAfter.minus(after); len(d) > 0 {
			t.Errorf("%s on %s showed %s after the workload returned, which %s does not allow there (it allows %s)", w.name, cfg.name, d, m.Name(), after)
		}
		if d := any.minus(row.kernel); len(d) > 0 {
			t.Logf("looseness: %s allows %s, which %s never showed", m.Name(), d, cfg.name)
		}
	}
	t.Logf("%d states (%d windows, exhaustive %v), %.0f states/s: kernel %s, after exit %s",
		len(en.States), en.Windows, en.Exhaustive, row.perSecond, row.kernel, row.kernelAfter)
	return row
}

func outcomeTable(rows []soundnessRow) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "workload\tfilesystem\tstates\tstates/s\tkernel\tkernel after exit\tposix\tposix after exit\tfs model\tfs model allows\tafter exit")
	for _, r := range rows {
		fsModel, any, after := "", "", ""
		for name, s := range r.model {
			if name != "posix" {
				fsModel, any, after = name, s.String(), r.modelAfter[name].String()
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.workload, r.config, r.states, r.perSecond,
			r.kernel, r.kernelAfter, r.model["posix"], r.modelAfter["posix"], fsModel, any, after)
	}
	tw.Flush()
	return b.String()
}
