//go:build linux

package cli

import (
	"errors"
	"flag"
	"strconv"
	"strings"
	"time"

	"github.com/crashcheck/crashcheck/faultfs/blockdev"
)

// kernelFSConfig is what the flags of crashcheck run --fs ask for: run
// COMMAND on a real kernel filesystem and rebuild its crash states from
// the block writes (runfs.go).
type kernelFSConfig struct {
	fs        string
	mkfsOpts  string
	mountOpts string
	settle    settleFlag
	perWindow int
	flags     *flag.FlagSet // the flags parsed, to tell which were given
}

// settleFlag is -settle: a duration, or unset (the filesystem's default,
// blockdev.DefaultSettle). Unset, it prints as "", so -h shows no
// "(default ...)" of its own: the help text says what the default is.
type settleFlag struct {
	d   time.Duration
	set bool
}

func (s *settleFlag) String() string {
	if s == nil || !s.set {
		return ""
	}
	return s.d.String()
}

func (s *settleFlag) Set(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		return err
	}
	if d < 0 {
		return errNegative
	}
	s.d, s.set = d, true
	return nil
}

// duration is what blockdev.RecordOptions.Settle takes: negative for the
// filesystem's default.
func (s settleFlag) duration() time.Duration {
	if !s.set {
		return -1
	}
	return s.d
}

var errNegative = errors.New("want a duration of 0 or more")

func addKernelFSFlags(fs *flag.FlagSet, k *kernelFSConfig) {
	fs.StringVar(&k.fs, "fs", "", "run COMMAND on a real kernel `FS` ("+blockdev.FilesystemNames+") made on a recorded loop device, instead of the in-memory filesystem; crash states are rebuilt from its block writes and mounted")
	fs.StringVar(&k.mkfsOpts, "mkfs-opts", "", "with -fs: extra mkfs `ARGS` (split at spaces)")
	fs.StringVar(&k.mountOpts, "mount-opts", "", "with -fs: mount `OPTIONS` (comma-separated, e.g. noauto_da_alloc or commit=5)")
	fs.Var(&k.settle, "settle", "with -fs: keep recording this `DURATION` after COMMAND exits, then syncfs (default: 1.5 periodic commits of the filesystem plus 1s: ext4 8.5s, xfs 2.5s, btrfs 46s)")
	fs.IntVar(&k.perWindow, "window-states", 256, "with -fs: crash states per unflushed window of writes before sampling (seeded by -seed)")
	k.flags = fs
}

// given reports whether the flag name was set on the command line.
func (k *kernelFSConfig) given(name string) bool {
	found := false
	if k.flags != nil {
		k.flags.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	}
	return found
}

// validate checks the -fs flags against the rest of cfg.
func (k *kernelFSConfig) validate(cfg *runConfig) error {
	if k.fs == "" {
		switch {
		case k.mkfsOpts != "":
			return badFlag("mkfs-opts", k.mkfsOpts, "needs -fs")
		case k.mountOpts != "":
			return badFlag("mount-opts", k.mountOpts, "needs -fs")
		case k.settle.set:
			return badFlag("settle", k.settle.String(), "needs -fs")
		case k.given("window-states"):
			return badFlag("window-states", strconv.Itoa(k.perWindow), "needs -fs")
		}
		return nil
	}
	if _, err := blockdev.LookupFilesystem(k.fs); err != nil {
		return badFlag("fs", k.fs, "want one of "+blockdev.FilesystemNames)
	}
	switch {
	case len(cfg.mounts) > 0:
		return badFlag("mount", cfg.mounts[0], "not supported with -fs (COMMAND runs in the kernel filesystem's directory)")
	case cfg.isolate:
		return badFlag("isolate", "true", "not supported with -fs")
	case len(cfg.recovers) > 0:
		return badFlag("recover", cfg.recovers[0], "not supported with -fs (each state is mounted read-write: the kernel's own recovery runs)")
	case k.given("model"):
		return badFlag("model", cfg.modelName, "not supported with -fs (the crash states are the kernel's own, rebuilt from its block writes, not a model's)")
	case k.given("max-states"):
		return badFlag("max-states", strconv.Itoa(cfg.maxStates), "not supported with -fs (use -window-states)")
	case k.perWindow < 1:
		return badFlag("window-states", strconv.Itoa(k.perWindow), "want at least 1")
	}
	return nil
}

// mkfsArgs splits -mkfs-opts at spaces.
func (k *kernelFSConfig) mkfsArgs() []string { return strings.Fields(k.mkfsOpts) }
