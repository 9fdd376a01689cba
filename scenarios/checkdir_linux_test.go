//go:build linux

package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
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
	return replaceVia(path, data, true)
}

// replaceNoDirSync is replaceDurably without the directory's fsync.
func replaceNoDirSync(path string, data []byte) error {
	return replaceVia(path, data, false)
}

func replaceVia(path string, data []byte, syncDir bool) (err error) {
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
	if !syncDir {
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
// operations with the crash between them, and ends with the replay line.
func TestCheckDirCatchesWriteFile(t *testing.T) {
	requireDirCheck(t)
	ft := &failTB{TB: t}
	CheckDir(ft, DirSpec{
		Setup: oldConfig,
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
