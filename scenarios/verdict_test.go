//go:build unix

package scenarios

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
)

// pgSave replaces name the way PostgreSQL does with pg_fsync: write a temp
// file, fsync it, retrying while fsync says EINTR (an interrupted call,
// not a writeback failure), rename, fsync the directory.
func pgSave(fsys faultfs.FS, name string, data []byte) (err error) {
	tmp := name + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			fsys.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err == nil {
		for {
			err = f.Sync()
			if !errors.Is(err, syscall.EINTR) {
				break
			}
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = fsys.Rename(tmp, name); err != nil {
		return err
	}
	return faultfs.SyncDir(fsys, ".")
}

// TestPgFsyncRetryOnEINTR: retrying an fsync interrupted by EINTR is
// correct (only EIO-class failures drop unsynced data), so PostgreSQL's
// loop passes with the default errnos, EINTR among them.
func TestPgFsyncRetryOnEINTR(t *testing.T) {
	rep := Check(t, Spec{
		Name:       "pg_fsync",
		Setup:      func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "pg_control", []byte("old"), 0o644) },
		Run:        func(fsys faultfs.FS) error { return pgSave(fsys, "pg_control", []byte("new control")) },
		Invariants: []Invariant{AtomicReplace("pg_control"), Durable("pg_control"), NoLeftovers(".")},
	})
	if rep != nil && rep.ErrorRuns == 0 {
		t.Errorf("no error runs: EINTR was not injected\n%s", rep)
	}
}

// appendLog appends each record to log, acknowledging it once written;
// flag is added to the open flags (O_SYNC, or 0 for a log that never
// syncs).
func appendLog(fsys faultfs.FS, flag int, records ...string) error {
	f, err := fsys.OpenFile("log", os.O_WRONLY|os.O_APPEND|os.O_CREATE|flag, 0o644)
	if err != nil {
		return err
	}
	for _, r := range records {
		if _, err := f.Write([]byte(r)); err != nil {
			f.Close()
			return err
		}
		if err := faultfs.Ack(fsys, r); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

func logSpec(flag int) Spec {
	return Spec{
		Name:       "log",
		Setup:      func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "log", nil, 0o644) },
		Run:        func(fsys faultfs.FS) error { return appendLog(fsys, flag, "rec1;", "rec2;", "rec3;") },
		Invariants: []Invariant{AckedRecords("log")},
	}
}

// TestOSyncLogAcked: an O_SYNC write is durable when it returns, so a log
// that acknowledges each record after an O_SYNC write keeps every
// acknowledged record under every model; the same log without O_SYNC
// loses them under posix and ext4-ordered.
func TestOSyncLogAcked(t *testing.T) {
	Check(t, logSpec(syscall.O_SYNC))
	rep, err := Verify(logSpec(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"posix", "ext4-ordered"} {
		if !hasViolation(rep, "AckedRecords(log)", m) {
			t.Errorf("a log without O_SYNC kept its acknowledged records under %s:\n%s", m, rep)
		}
	}
	if hasViolation(rep, "AckedRecords(log)", "process") {
		t.Errorf("a process crash lost a written record:\n%s", rep)
	}
	v := rep.Violations[0]
	if !strings.Contains(v.Detail, `(#1 ack "rec1;") did not survive`) || !strings.Contains(strings.Join(v.Timeline, "\n"), `ack "rec1;"`) {
		t.Errorf("the violation does not name the acknowledgement, or the timeline does not show it:\n%s", v)
	}
}

func hasViolation(rep *Report, inv, model string) bool {
	for _, v := range rep.Violations {
		if v.Invariant == inv && v.Model == model {
			return true
		}
	}
	return false
}
