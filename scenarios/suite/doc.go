// Package suite holds the crash tests of this module's writer and the zoo
// of broken writers, written on the public API of package scenarios.
//
// A [Scenario] is a family of specs drawn from a *rapid.T. The registry
// ([Scenarios], [Select]) holds the suite of this module's writer
// ("writer": every content size from 0 B to 1 MiB, mode, symbolic link,
// backup and durability level; it must pass everything) and the zoo:
// fifteen broken writers ("zoo/..."), each a pattern real programs use
// (os.WriteFile, the r+ recipe, rename without fsync, fsync after rename,
// renameio's missing directory fsync, chmod after rename, sponge's $TMPDIR
// copy, the Python recipe, vim's backup by rename, a retried fsync, a fixed
// temp name shared by two processes, ...), each with the invariants and
// models that must catch it ([Scenario.Caught]). The zoo is the harness's
// own mutation test: should a change let one of them escape, a test fails.
// crashcheck torture runs any of them outside go test.
//
// The suite's own invariants ([Untouched], [StillSymlink],
// [BackupHoldsOld], [OneSave]) use only what package scenarios exports to
// every user: [scenarios.Situation]'s Before, After and Current views and
// [scenarios.Version].
//
// The fuzz targets (FuzzWriteFile, FuzzStream) and the rapid property
// TestWriterSuite keep their seeds and saved failures under testdata/.
package suite
