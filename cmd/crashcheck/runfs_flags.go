//go:build linux

package main

import (
	"flag"
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
	settle    time.Duration
	perWindow int
}

func addKernelFSFlags(fs *flag.FlagSet, k *kernelFSConfig) {
	fs.StringVar(&k.fs, "fs", "", "run COMMAND on a real kernel `FS` ("+blockdev.FilesystemNames+") made on a recorded loop device, instead of the in-memory filesystem; crash states are rebuilt from its block writes and mounted")
	fs.StringVar(&k.mkfsOpts, "mkfs-opts", "", "with -fs: extra mkfs `ARGS` (split at spaces)")
	fs.StringVar(&k.mountOpts, "mount-opts", "", "with -fs: mount `OPTIONS` (comma-separated, e.g. noauto_da_alloc or commit=5)")
	fs.DurationVar(&k.settle, "settle", -1, "with -fs: keep recording this long after COMMAND exits, then syncfs (default: 1.5 periodic commits of the filesystem plus 1s: ext4 8.5s, xfs 2.5s, btrfs 46s)")
	fs.IntVar(&k.perWindow, "window-states", 256, "with -fs: crash states per unflushed window of writes before sampling (seeded by -seed)")
}

// validate checks the -fs flags against the rest of cfg.
func (k *kernelFSConfig) validate(cfg *runConfig) error {
	if k.fs == "" {
		switch {
		case k.mkfsOpts != "":
			return badFlag("mkfs-opts", k.mkfsOpts, "needs -fs")
		case k.mountOpts != "":
			return badFlag("mount-opts", k.mountOpts, "needs -fs")
		case k.settle >= 0:
			return badFlag("settle", k.settle.String(), "needs -fs")
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
	case k.perWindow < 1:
		return badFlag("window-states", "0", "want at least 1")
	}
	return nil
}

// mkfsArgs splits -mkfs-opts at spaces.
func (k *kernelFSConfig) mkfsArgs() []string { return strings.Fields(k.mkfsOpts) }
