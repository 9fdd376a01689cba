package scenarios_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/crashcheck/crashcheck/scenarios"
)

// saveConfig is a user's save function in plain os code, done right: a
// temp file beside the target, written, fsynced and closed, renamed over
// it, and the directory fsynced so that the rename survives a crash.
func saveConfig(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".config-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// A test of plain os code, as it goes in a _test.go file: CheckDir
// mounts a crash-recording directory and gives its path to Setup and
// Run. It needs Linux with /dev/fuse, and root or fusermount3, so this
// example has no output to compare; TestExampleCheckDir runs the test it
// declares.
func ExampleCheckDir() {
	TestSaveConfig := func(t *testing.T) {
		scenarios.CheckDir(t, scenarios.DirSpec{
			Setup: func(dir string) error {
				return os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"theme": "light"}`), 0o644)
			},
			Run: func(dir string) error {
				return saveConfig(filepath.Join(dir, "config.json"), []byte(`{"theme": "dark"}`))
			},
			Invariants: []scenarios.Invariant{
				scenarios.AtomicReplace("config.json"),
				scenarios.Durable("config.json"),
				scenarios.NoLeftovers("."),
				scenarios.ReportsErrors(),
			},
		})
	}
	exampleTests = append(exampleTests, TestSaveConfig) // in a real test file: func TestSaveConfig(t *testing.T)
}

// exampleTests are the tests examples declare, for TestExampleCheckDir.
var exampleTests []func(*testing.T)

// TestExampleCheckDir runs the test ExampleCheckDir declares: it passes
// (or skips, saying why, where FUSE cannot be mounted).
func TestExampleCheckDir(t *testing.T) {
	exampleTests = nil
	ExampleCheckDir()
	if len(exampleTests) != 1 {
		t.Fatalf("ExampleCheckDir declared %d tests, want 1", len(exampleTests))
	}
	exampleTests[0](t)
}
