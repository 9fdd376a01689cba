//go:build linux

package scenarios

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"pgregory.net/rapid"
)

// requireDirCheck skips t, saying why, where CheckDir cannot mount.
func requireDirCheck(t *testing.T) {
	t.Helper()
	if err := CheckDirAvailable(); err != nil {
		t.Skipf("skipping: %v", err)
	}
}

// replaceDurably is the durable replace done right in plain os code: a
// temp file in the target's directory written, given the mode, fsynced
// and closed, renamed over the target, the directory fsynced; the temp
// file removed if anything before the rename failed.
func replaceDurably(path string, data []byte) error {
	return replacer{syncDir: true}.replace(path, data)
}

// replaceNoDirSync is replaceDurably without the directory's fsync.
func replaceNoDirSync(path string, data []byte) error {
	return replacer{}.replace(path, data)
}

// replaceIgnoringSyncErr is replaceDurably that drops the error of the
// temp file's fsync.
func replaceIgnoringSyncErr(path string, data []byte) error {
	return replacer{syncDir: true, ignoreSyncErr: true}.replace(path, data)
}

// replacer is replaceDurably with its bugs to choose.
type replacer struct {
	syncDir       bool // fsync the directory after the rename
	ignoreSyncErr bool // drop the error of the temp file's fsync
}

func (r replacer) replace(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if err != nil && !renamed {
			os.Remove(f.Name())
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
		if r.ignoreSyncErr {
			err = nil
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	renamed = true
	if !r.syncDir {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// oldConfig is the initial state of these tests: config.json, "old".
func oldConfig(dir string) error {
	return os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"theme": "light"}`), 0o644)
}

const newConfig = `{"theme": "dark", "font": "large"}`

// TestCheckDirCatchesWriteFile: os.WriteFile over the target, the broken
// writer in plain os code, fails AtomicReplace, and the report shows the
// state it left (an empty config.json, neither old nor new), the disk
// operations with the crash between them, and ends with the replay line;
// the mount is gone.
func TestCheckDirCatchesWriteFile(t *testing.T) {
	requireDirCheck(t)
	ft := &failTB{TB: t}
	var mnt string
	CheckDir(ft, DirSpec{
		Setup: func(dir string) error { mnt = dir; return oldConfig(dir) },
		Run: func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "config.json"), []byte(newConfig), 0o644)
		},
		Invariants: []Invariant{AtomicReplace("config.json")},
	})
	t.Logf("CheckDir reported:\n%s", ft.msg)
	for _, want := range []string{
		"VIOLATION AtomicReplace(config.json) after a crash at point 1 under process",
		`config.json holds 0 bytes "", mode 0644: neither the old content (18 bytes`,
		"#0 truncate config.json size=0 = ok",
		"--- crash (next: #1 write config.json off=0 len=34 = ok)",
		"VIOLATION AtomicReplace(config.json) after Run returned an error",
		"injected fault: call #",
	} {
		if !strings.Contains(ft.msg, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	const replay = "replay: go test -run '^TestSave$/^big_file$' ./scenarios\n"
	if !strings.HasSuffix(ft.msg, replay) {
		t.Errorf("the report does not end with %q", replay)
	}
	requireUnmounted(t, mnt)
}

// TestCheckDirDurableReplacePasses: the durable replace done right in
// plain os code holds AtomicReplace, Durable, NoLeftovers and
// ReportsErrors under every default model, after every crash and every
// injected errno, and the check did check: crash states, error runs, and
// errors that reached Run as the errnos injected.
func TestCheckDirDurableReplacePasses(t *testing.T) {
	requireDirCheck(t)
	errs := map[syscall.Errno]bool{}
	sawErr := Invariant{Name: "sees Run's error", Check: func(s *Situation) error {
		var e syscall.Errno
		if s.Kind == AfterError && errors.As(s.RunErr, &e) {
			errs[e] = true
		}
		return nil
	}}
	rep := CheckDir(t, DirSpec{
		Setup: oldConfig,
		Run:   func(dir string) error { return replaceDurably(filepath.Join(dir, "config.json"), []byte(newConfig)) },
		Invariants: []Invariant{AtomicReplace("config.json"), Durable("config.json"), NoLeftovers("."),
			ReportsErrors(), sawErr},
	})
	if want := "process,posix,ext4-ordered"; strings.Join(rep.Models, ",") != want {
		t.Errorf("checked under %v, want %s", rep.Models, want)
	}
	if rep.States < 50 || rep.ErrorRuns < 30 || !rep.Exhaustive {
		t.Errorf("%d crash states, %d error runs, exhaustive %v: too little was checked", rep.States, rep.ErrorRuns, rep.Exhaustive)
	}
	for _, e := range []syscall.Errno{syscall.EIO, syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS, syscall.EACCES, syscall.EXDEV} {
		if !errs[e] {
			t.Errorf("no run returned %v: the injected errnos did not reach Run (saw %v)", e, errs)
		}
	}
	if errs[syscall.EINTR] {
		t.Error("a run returned EINTR, which CheckDir does not inject by default")
	}
}

// TestCheckDirMissingDirSync: without the directory's fsync, the rename
// may be lost after Run returned under posix, where a name is durable
// only once its directory is synced: Durable fails there, the report
// names the model and hints at the missing fsync; under process (kill -9)
// it holds.
func TestCheckDirMissingDirSync(t *testing.T) {
	requireDirCheck(t)
	ft := &failTB{TB: t}
	rep := CheckDir(ft, DirSpec{
		Setup:      oldConfig,
		Run:        func(dir string) error { return replaceNoDirSync(filepath.Join(dir, "config.json"), []byte(newConfig)) },
		Invariants: []Invariant{AtomicReplace("config.json"), Durable("config.json")},
	})
	t.Logf("CheckDir reported:\n%s", ft.msg)
	if rep == nil {
		t.Fatal("no report")
	}
	var models []string
	for _, v := range rep.Violations {
		if v.Invariant != "Durable(config.json)" {
			t.Errorf("%s violated under %s: only Durable should be", v.Invariant, v.Model)
			continue
		}
		models = append(models, v.Model)
		if !strings.Contains(strings.Join(v.Hints, "\n"), "fsync") {
			t.Errorf("the violation under %s has no hint of the missing fsync: %q", v.Model, v.Hints)
		}
	}
	if !slices.Contains(models, "posix") || slices.Contains(models, "process") {
		t.Errorf("Durable violated under %q; want posix among them, and not process", models)
	}
	if !strings.Contains(ft.msg, "VIOLATION Durable(config.json) after a crash at point") ||
		!strings.Contains(ft.msg, "under posix") {
		t.Errorf("the report does not say Durable failed under posix")
	}
}

// TestCheckDirT: CheckDirT in a rapid property over drawn content: the
// durable replace holds for every content rapid draws.
func TestCheckDirT(t *testing.T) {
	requireDirCheck(t)
	rapid.Check(t, func(rt *rapid.T) {
		data := Content(8<<10, 'N').Draw(rt, "data")
		rep := CheckDirT(rt, DirSpec{
			Setup:      oldConfig,
			Run:        func(dir string) error { return replaceDurably(filepath.Join(dir, "config.json"), data) },
			Invariants: []Invariant{AtomicReplace("config.json"), Durable("config.json")},
			NoErrors:   true,
		})
		if rep.States == 0 {
			rt.Fatalf("no crash state checked")
		}
	})
}

// replaceInPlaceIfBig is a writer with a size-dependent bug: from 512
// bytes on it writes over the target (to spare the copy), below it
// replaces durably.
func replaceInPlaceIfBig(path string, data []byte) error {
	if len(data) >= 512 {
		return os.WriteFile(path, data, 0o644)
	}
	return replaceDurably(path, data)
}

// TestCheckDirTShrinks: a failing CheckDirT fails the property, rapid
// shrinks the size to the smallest that fails (512 bytes), and the
// report is printed once, in the replay of that input. Shrinking takes
// rapid some 600 tries, a mount each: under the race detector the test
// lets rapid shrink for a moment only, and checks the failure alone.
func TestCheckDirTShrinks(t *testing.T) {
	requireDirCheck(t)
	noFailFiles(t)
	if raceDetector {
		setRapidFlag(t, "rapid.shrinktime", "1ms")
	}
	res := RapidCheck(RapidOptions{Name: "in-place-if-big", Seed: 5, Checks: 50}, func(rt *rapid.T) {
		data := bytes.Repeat([]byte("N"), rapid.IntRange(0, 4096).Draw(rt, "size"))
		CheckDirT(rt, DirSpec{
			Setup:      oldConfig,
			Run:        func(dir string) error { return replaceInPlaceIfBig(filepath.Join(dir, "config.json"), data) },
			Invariants: []Invariant{AtomicReplace("config.json")},
			Models:     []faultfs.Model{faultfs.Process},
			NoErrors:   true,
		})
	})
	all := strings.Join(res.Logs, "\n")
	if n := strings.Count(all, "VIOLATION AtomicReplace(config.json)"); !res.Failed || n != 1 {
		t.Fatalf("failed %v, report printed %d times, want once:\n%s", res.Failed, n, all)
	}
	if d := res.Draws(); !raceDetector && !slices.Equal(d, []string{"size: 512"}) {
		t.Errorf("draws %q, want the size shrunk to 512", d)
	}
}

// setRapidFlag sets one of rapid's flags for the duration of t.
func setRapidFlag(t *testing.T, name, value string) {
	f := flag.Lookup(name)
	old := f.Value.String()
	if err := f.Value.Set(value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Value.Set(old) })
}
