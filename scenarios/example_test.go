package scenarios_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios"
	"pgregory.net/rapid"
)

// saveDurably is a user's save function done right: a temp file written,
// fsynced and closed, renamed over the target, the directory fsynced.
func saveDurably(fsys faultfs.FS, name string, data []byte) error {
	return saveTemp(fsys, name, data, 0o644)
}

// saveTemp is saveDurably with a temp file created with the given mode.
func saveTemp(fsys faultfs.FS, name string, data []byte, mode fs.FileMode) (err error) {
	tmp := name + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			fsys.Remove(tmp)
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
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
	d, err := fsys.Open(".")
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// saveInPlace is a user's save function done the os.WriteFile way.
func saveInPlace(fsys faultfs.FS, name string, data []byte) error {
	f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// settings is the initial state of the examples: config.json, durable.
func settings(fsys faultfs.FS) error {
	return faultfs.WriteFile(fsys, "config.json", []byte(`{"theme": "light"}`), 0o644)
}

// printCaught prints, once each, the invariants a report found broken and
// where: after a crash under a model, or once Run had returned.
func printCaught(rep *scenarios.Report) {
	if rep.OK() {
		fmt.Println("ok")
		return
	}
	seen := map[string]bool{}
	for _, v := range rep.Violations {
		where := "crash under " + v.Model
		if v.Kind != scenarios.AfterCrash {
			where = "after " + v.Kind.String()
		}
		line := v.Invariant + ": " + where
		if !seen[line] {
			seen[line] = true
			fmt.Println(line)
		}
	}
}

// A test of a user's own save function, as it goes in a _test.go file.
// Check fails the test with a report of every invariant broken.
func ExampleCheck() {
	testSave := func(t *testing.T) {
		scenarios.Check(t, scenarios.Spec{
			Name:  "save",
			Setup: settings,
			Run: func(fsys faultfs.FS) error {
				return saveDurably(fsys, "config.json", []byte(`{"theme": "dark"}`))
			},
			Invariants: []scenarios.Invariant{
				scenarios.AtomicReplace("config.json"),
				scenarios.Durable("config.json"),
				scenarios.NoLeftovers("."),
			},
		})
	}
	_ = testSave // func TestSave(t *testing.T) in a real test file
}

// Verify returns the report instead of failing a test. A save done right
// passes under every model, at every crash point, with every error.
func ExampleVerify() {
	rep, err := scenarios.Verify(scenarios.Spec{
		Name:  "save",
		Setup: settings,
		Run: func(fsys faultfs.FS) error {
			return saveDurably(fsys, "config.json", []byte(`{"theme": "dark"}`))
		},
		Invariants: []scenarios.Invariant{
			scenarios.AtomicReplace("config.json"),
			scenarios.Durable("config.json"),
			scenarios.NoLeftovers("."),
			scenarios.ReportsErrors(),
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.OK(), rep.Exhaustive)
	// Output:
	// true true
}

// The same save done the os.WriteFile way: truncated, then written. A
// crash in between leaves an empty file, even when only the process dies.
func ExampleVerify_broken() {
	rep, err := scenarios.Verify(scenarios.Spec{
		Name:  "save",
		Setup: settings,
		Run: func(fsys faultfs.FS) error {
			return saveInPlace(fsys, "config.json", []byte(`{"theme": "dark"}`))
		},
		Invariants: []scenarios.Invariant{scenarios.AtomicReplace("config.json")},
		Models:     []faultfs.Model{faultfs.Process},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	v := rep.Violations[0]
	fmt.Printf("%s at crash point %d under %s:\n%s\n", v.Invariant, v.Point, v.Model, v.Detail)
	// Output:
	// AtomicReplace(config.json) at crash point 1 under process:
	// config.json holds 0 bytes "", mode 0644: neither the old content (18 bytes "{\"theme\": \"light\"}", mode 0644; same first 0 bytes, sizes differ) nor the new (17 bytes "{\"theme\": \"dark\"}", mode 0644; same first 0 bytes, sizes differ)
}

// AtomicReplace: the file holds its old content or its new one, whole,
// after any crash. A save in place breaks it under every model, and when
// a write fails after the truncation.
func ExampleAtomicReplace() {
	rep, _ := scenarios.Verify(scenarios.Spec{
		Setup:      settings,
		Run:        func(fsys faultfs.FS) error { return saveInPlace(fsys, "config.json", []byte(`{}`)) },
		Invariants: []scenarios.Invariant{scenarios.AtomicReplace("config.json")},
	})
	printCaught(rep)
	// Output:
	// AtomicReplace(config.json): crash under process
	// AtomicReplace(config.json): crash under posix
	// AtomicReplace(config.json): crash under ext4-ordered
	// AtomicReplace(config.json): after error
}

// Durable: once Run returned nil, a crash leaves the new content. Without
// the directory fsync a power loss may undo the rename.
func ExampleDurable() {
	save := func(fsys faultfs.FS) error {
		f, err := fsys.OpenFile("config.json.tmp", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.Write([]byte(`{}`)); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		return fsys.Rename("config.json.tmp", "config.json") // and no fsync of "."
	}
	rep, _ := scenarios.Verify(scenarios.Spec{
		Setup:      settings,
		Run:        save,
		Invariants: []scenarios.Invariant{scenarios.AtomicReplace("config.json"), scenarios.Durable("config.json")},
		NoErrors:   true,
	})
	printCaught(rep)
	// Output:
	// Durable(config.json): crash under posix
	// Durable(config.json): crash under ext4-ordered
}

// NoLeftovers: once Run returned, with or without an error, the directory
// holds nothing new. This save returns as soon as its write fails, temp
// file and all.
func ExampleNoLeftovers() {
	save := func(fsys faultfs.FS) error {
		f, err := fsys.OpenFile("config.json.tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.Write([]byte(`{}`)); err != nil {
			return err // f is still open, config.json.tmp still there
		}
		if err := f.Close(); err != nil {
			return err
		}
		return fsys.Rename("config.json.tmp", "config.json")
	}
	rep, _ := scenarios.Verify(scenarios.Spec{
		Setup:      settings,
		Run:        save,
		Invariants: []scenarios.Invariant{scenarios.NoLeftovers(".")},
	})
	printCaught(rep)
	fmt.Println(rep.Violations[0].Detail)
	// Output:
	// NoLeftovers(.): after error
	// after Run returned "write config.json.tmp: input/output error", config.json.tmp was left behind
}

// ModePreserved: the file keeps its mode through the replace, and a crash
// never shows the new content with another mode. Creating the temp file
// with 0600 and fixing the mode after the rename leaves a window.
func ExampleModePreserved() {
	save := func(fsys faultfs.FS) error {
		info, err := fsys.Stat("config.json")
		if err != nil {
			return err
		}
		if err := saveTemp(fsys, "config.json", []byte(`{}`), 0o600); err != nil {
			return err
		}
		return fsys.Chmod("config.json", info.Mode())
	}
	rep, _ := scenarios.Verify(scenarios.Spec{
		Setup:      settings,
		Run:        save,
		Invariants: []scenarios.Invariant{scenarios.ModePreserved("config.json")},
		NoErrors:   true,
		Models:     []faultfs.Model{faultfs.Process},
	})
	printCaught(rep)
	fmt.Println(rep.Violations[0].Detail)
	// Output:
	// ModePreserved(config.json): crash under process
	// config.json holds the new content with mode 0600, not 0644
}

// Holds turns a check of the recovered filesystem into an invariant: here,
// whatever a crash leaves, config.json must parse. Run is given the
// recovered state as a faultfs.FS, so the check can be the program's own
// start-up code.
func ExampleHolds() {
	parses := scenarios.Holds("config.json parses", func(recovered faultfs.FS) error {
		b, err := faultfs.ReadFile(recovered, "config.json")
		if err != nil {
			return err
		}
		var v map[string]any
		return json.Unmarshal(b, &v)
	})
	for _, save := range []func(faultfs.FS, string, []byte) error{saveDurably, saveInPlace} {
		rep, _ := scenarios.Verify(scenarios.Spec{
			Setup:      settings,
			Run:        func(fsys faultfs.FS) error { return save(fsys, "config.json", []byte(`{"theme": "dark"}`)) },
			Invariants: []scenarios.Invariant{parses},
			NoErrors:   true,
		})
		printCaught(rep)
	}
	// Output:
	// ok
	// config.json parses: crash under process
	// config.json parses: crash under posix
	// config.json parses: crash under ext4-ordered
}

// CheckHistory judges a run recorded elsewhere, here a rewrite in place
// done straight on a Mem (a FUSE server records a program's run the same
// way), with the invariants, models and report of Verify.
func ExampleCheckHistory() {
	m := faultfs.NewMem()
	if err := settings(m); err != nil {
		fmt.Println(err)
		return
	}
	m.MakeDurable()
	if err := saveInPlace(m, "config.json", []byte(`{"theme": "dark"}`)); err != nil {
		fmt.Println(err)
		return
	}
	rep := scenarios.CheckHistory(m.History(), scenarios.HistoryOptions{
		Name:       "save",
		Models:     []faultfs.Model{faultfs.Process},
		Invariants: []scenarios.Invariant{scenarios.AtomicReplace("config.json")},
		RunErr:     nil, // the run returned successfully
	})
	v := rep.Violations[0]
	fmt.Printf("%s (%s %s) at crash point %d, after %s\n", v.Invariant, v.Property, v.Path, v.Point, v.Op)
	// Output:
	// AtomicReplace(config.json) (atomic config.json) at crash point 1, after #0 truncate config.json size=0 = ok
}

// RapidCheck runs a property outside go test's reporting (a command, or a
// test of a property meant to fail) and keeps rapid's shrinking: here the
// first size that breaks a limit, shrunk to the smallest.
func ExampleRapidCheck() {
	flag.Set("rapid.nofailfile", "true") // a command has its own replay line
	res := scenarios.RapidCheck(scenarios.RapidOptions{Name: "limit", Seed: 1, Checks: 100}, func(t *rapid.T) {
		if n := scenarios.Size(8192).Draw(t, "size"); n > 1000 {
			t.Fatalf("%d bytes is over the limit", n)
		}
	})
	fmt.Println("failed:", res.Failed)
	for _, d := range res.Draws() {
		fmt.Println(d)
	}
	// Output:
	// failed: true
	// size: 1001
}

// AckedRecords: every record a log acknowledged survives a crash. This
// log appends each record and acknowledges it, the ack labelled with the
// record; fsyncing before the ack keeps every acknowledged record,
// acknowledging first does not.
func ExampleAckedRecords() {
	appendRecords := func(syncFirst bool) func(faultfs.FS) error {
		return func(fsys faultfs.FS) error {
			f, err := fsys.OpenFile("log", os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			for _, rec := range []string{"set a=1\n", "set b=2\n"} {
				if _, err := f.Write([]byte(rec)); err != nil {
					return err
				}
				if !syncFirst {
					faultfs.Ack(fsys, rec) // "stored", before it is
				}
				if err := f.Sync(); err != nil {
					return err
				}
				if syncFirst {
					faultfs.Ack(fsys, rec)
				}
			}
			return nil
		}
	}
	for _, syncFirst := range []bool{true, false} {
		rep, err := scenarios.Verify(scenarios.Spec{
			Name:       "log",
			Setup:      func(fsys faultfs.FS) error { return faultfs.WriteFile(fsys, "log", nil, 0o644) },
			Run:        appendRecords(syncFirst),
			Invariants: []scenarios.Invariant{scenarios.AckedRecords("log")},
			NoErrors:   true,
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		printCaught(rep)
	}
	// Output:
	// ok
	// AckedRecords(log): crash under posix
	// AckedRecords(log): crash under ext4-ordered
}
