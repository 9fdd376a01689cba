package suite

import (
	"fmt"
	"github.com/crashcheck/crashcheck/scenarios"
	"io/fs"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/writer"
	"pgregory.net/rapid"
)

// WriterCase is one input of the writer's suite.
type WriterCase struct {
	Old        []byte      // the target's content before, nil if absent
	OldMode    fs.FileMode // its mode
	New        []byte      // what is written
	Perm       fs.FileMode // the perm argument
	Symlink    bool        // the target is a symbolic link to d/real
	Stream     bool        // Create, Write in chunks, Commit (else WriteFile)
	Chunk      int         // the chunk size when streaming
	Durability writer.Durability
	Backup     bool        // WithBackup(".bak")
	Mode       fs.FileMode // WithMode(Mode) when not 0
	// ReplaceSymlink: WithReplaceSymlink, on a symlinked target: the link
	// itself is replaced by a regular file and d/real is left alone.
	ReplaceSymlink bool
}

// MaxContent is the largest content the suites draw.
const MaxContent = 1 << 20

// MaxFuzzContent is the largest content the fuzz targets draw: the fuzzer
// learns from many small cases, not from few large ones.
const MaxFuzzContent = 16 << 10

// MaxChunks bounds the writes a streaming case makes: every write adds crash
// points and error runs, and eight chunks already interleave sectors.
const MaxChunks = 8

// DrawWriterCase draws a writer case.
func DrawWriterCase(t *rapid.T) WriterCase { return drawWriterCase(t, MaxContent) }

// drawWriterCase draws a writer case whose contents hold at most max bytes.
func drawWriterCase(t *rapid.T, max int) WriterCase {
	c := WriterCase{
		New:        scenarios.Content(max, 'N').Draw(t, "new"),
		Perm:       fs.FileMode(scenarios.Perm().Draw(t, "perm")),
		Stream:     rapid.Bool().Draw(t, "stream"),
		Chunk:      rapid.IntRange(1, 64<<10).Draw(t, "chunk"), // raised to len(New)/MaxChunks
		Durability: rapid.SampledFrom([]writer.Durability{writer.Durable, writer.FileSynced, writer.NoSync}).Draw(t, "durability"),
		Backup:     rapid.Bool().Draw(t, "backup"),
	}
	if rapid.Bool().Draw(t, "exists") {
		c.Old = scenarios.Content(max, 'O').Draw(t, "old")
		c.OldMode = fs.FileMode(scenarios.Perm().Draw(t, "oldMode"))
		c.Symlink = rapid.Bool().Draw(t, "symlink")
		c.ReplaceSymlink = c.Symlink && rapid.Bool().Draw(t, "replaceSymlink")
	}
	if rapid.Bool().Draw(t, "withMode") {
		c.Mode = fs.FileMode(scenarios.Perm().Draw(t, "mode"))
	}
	return c
}

// Target is the path the suite writes to.
const Target = "target"

// realPath is where a symlinked target points.
const realPath = "d/real"

// Setup builds the case's initial state.
func (c WriterCase) Setup(fsys faultfs.FS) error {
	if c.Old == nil {
		return nil
	}
	path := Target
	if c.Symlink {
		if err := fsys.Mkdir("d", 0o755); err != nil {
			return err
		}
		if err := fsys.Symlink(realPath, Target); err != nil {
			return err
		}
		path = realPath
	}
	if err := faultfs.WriteFile(fsys, path, c.Old, c.OldMode); err != nil {
		return err
	}
	return fsys.Chmod(path, c.OldMode)
}

// Options returns the writer options the case uses on fsys.
func (c WriterCase) Options(fsys faultfs.FS) []writer.Option {
	opts := []writer.Option{writer.WithFS(fsys), writer.WithDurability(c.Durability)}
	if c.Backup {
		opts = append(opts, writer.WithBackup(".bak"))
	}
	if c.Mode != 0 {
		opts = append(opts, writer.WithMode(c.Mode))
	}
	if c.ReplaceSymlink {
		opts = append(opts, writer.WithReplaceSymlink())
	}
	return opts
}

// memUmask is the umask of the harness's faultfs.Mem.
const memUmask = 0o022

// newMode returns the mode the target must have after the replace, and
// whether it is fixed (false: the old file's mode is kept).
func (c WriterCase) newMode() (fs.FileMode, bool) {
	switch {
	case c.Mode != 0:
		return c.Mode, true
	case c.Old == nil || c.ReplaceSymlink:
		return c.Perm &^ memUmask, true
	}
	return 0, false
}

// Write replaces the target with our writer.
func (c WriterCase) Write(fsys faultfs.FS) error {
	if !c.Stream {
		return writer.WriteFile(Target, c.New, c.Perm, c.Options(fsys)...)
	}
	f, err := writer.Create(Target, c.Perm, c.Options(fsys)...)
	if err != nil {
		return err
	}
	defer f.Close()
	chunk := max(c.Chunk, (len(c.New)+MaxChunks-1)/MaxChunks)
	for rest := c.New; len(rest) > 0; {
		n := min(chunk, len(rest))
		if _, err := f.Write(rest[:n]); err != nil {
			return err
		}
		rest = rest[n:]
	}
	return f.Commit()
}

// Invariants returns what must hold for the case at its durability level,
// and the models under which it must hold: NoSync promises atomicity
// against process crashes only, FileSynced everything but durability.
func (c WriterCase) Invariants() ([]scenarios.Invariant, []faultfs.Model) {
	keep := []string{Target}
	dir := "."
	if c.Symlink && !c.ReplaceSymlink {
		dir = "d"
		keep = []string{"real"}
	}
	if c.Backup {
		keep = append(keep, keep[0]+".bak")
	}
	invs := []scenarios.Invariant{scenarios.AtomicReplace(Target), scenarios.NoLeftovers(dir, keep...), scenarios.ReportsErrors()}
	if mode, fixed := c.newMode(); fixed {
		invs = append(invs, scenarios.ModeIs(Target, mode))
	} else {
		invs = append(invs, scenarios.ModePreserved(Target))
	}
	switch {
	case c.ReplaceSymlink:
		invs = append(invs, scenarios.NoLeftovers("d", "real"), Untouched(realPath))
	case c.Symlink:
		invs = append(invs, StillSymlink(Target), scenarios.NoLeftovers(".", Target, "d"))
	}
	if c.Backup && c.Old != nil {
		invs = append(invs, BackupHoldsOld(Target, keep[0]+".bak", dir))
	}
	models := faultfs.Models()
	switch c.Durability {
	case writer.Durable:
		invs = append(invs, scenarios.Durable(Target))
	case writer.NoSync:
		models = []faultfs.Model{faultfs.Process}
	}
	return invs, models
}

// Untouched: path holds its old content in every situation.
func Untouched(path string) scenarios.Invariant {
	return scenarios.Invariant{Name: "Untouched(" + path + ")", Check: func(s *scenarios.Situation) error {
		if got, old := s.Current(path), s.Before(path); !got.SameContent(old) {
			return fmt.Errorf("%s holds %s, not its old content (%s)", path, got, old)
		}
		return nil
	}}
}

// Spec returns the case as a harness spec.
func (c WriterCase) Spec() scenarios.Spec {
	invs, models := c.Invariants()
	return scenarios.Spec{Name: "writer", Setup: c.Setup, Run: c.Write, Invariants: invs, Models: models}
}

// StillSymlink: once Run has returned, path is still a symbolic link.
func StillSymlink(path string) scenarios.Invariant {
	return scenarios.Invariant{Name: "StillSymlink(" + path + ")", Check: func(s *scenarios.Situation) error {
		info, err := s.State.Lstat(path)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			return fmt.Errorf("%s is no longer a symbolic link (mode %v)", path, info.Mode())
		}
		return nil
	}}
}

// BackupHoldsOld: after Run returned nil, dir/backup holds what path
// held before.
func BackupHoldsOld(path, backup, dir string) scenarios.Invariant {
	return scenarios.Invariant{Name: "BackupHoldsOld(" + backup + ")", Check: func(s *scenarios.Situation) error {
		if s.Kind != scenarios.AfterSuccess {
			return nil
		}
		old, got := s.Before(path), s.Current(dir+"/"+backup)
		if !got.SameContent(old) {
			return fmt.Errorf("backup %s/%s holds %s, not the old content (%s)", dir, backup, got, old)
		}
		return nil
	}}
}

func init() {
	Register(Scenario{
		Name:        "writer",
		Description: "writer.WriteFile and Create/Commit: any content, mode, symlink, backup and durability level",
		Spec:        func(t *rapid.T) scenarios.Spec { return DrawWriterCase(t).Spec() },
	})
}
