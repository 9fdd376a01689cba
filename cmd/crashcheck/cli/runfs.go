//go:build linux

package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs/blockdev"
)

// crashcheck run -fs: COMMAND runs on a real kernel filesystem (ext4,
// xfs, btrfs) made on a loop device whose every block write and cache
// flush is recorded (package blockdev). A crash state is everything
// flushed before some point plus any subset of the writes since the last
// flush (a volatile disk cache may have written any of them); each is
// rebuilt as a sparse image, mounted read-write so that the kernel's own
// journal or log recovery runs, and judged (runfs_check.go, with the
// harness's invariants): the -file properties, each
// -check command run in the mounted state, and the filesystem's checker
// (e2fsck -fn, xfs_repair -n, btrfs check --readonly).

// kernelRun is one crashcheck run -fs.
type kernelRun struct {
	cfg            *runConfig
	fsys           *blockdev.Filesystem
	stdin          io.Reader
	stdout, stderr io.Writer
	before, after  []blockdev.FileOutcome // each -file before and after COMMAND, in order
	exit           int                    // COMMAND's exit status, -1 if it did not simply exit
	note           string                 // how COMMAND ended otherwise
	log            *blockdev.Log
}

func runKernelFS(cfg *runConfig, stdin io.Reader, stdout, stderr io.Writer) int {
	k := &kernelRun{cfg: cfg, fsys: blockdev.Filesystems[cfg.kernel.fs], stdin: stdin, stdout: stdout, stderr: stderr}
	if err := blockdev.Available(); err != nil {
		fmt.Fprintf(stderr, "crashcheck run: %v\n", err)
		return 2
	}
	if err := k.fsys.Available(); err != nil {
		fmt.Fprintf(stderr, "crashcheck run: %v\n", err)
		return 2
	}
	for _, f := range cfg.files {
		before := blockdev.FileOutcome{Path: f}
		if cfg.dir != "" {
			before = blockdev.ReadTarget(cfg.dir, f)
		}
		if before.ReadErr != "" {
			fmt.Fprintf(stderr, "crashcheck run: -file %s: cannot be read in -dir: %s\n", f, before.ReadErr)
			return 2
		}
		k.before = append(k.before, before)
	}
	log, err := blockdev.Record(blockdev.RecordOptions{
		FS: k.fsys, MkfsOpts: cfg.kernel.mkfsArgs(), MountOpts: cfg.kernel.mountOpts,
		Settle: cfg.kernel.settle.duration(), Name: strings.Join(append([]string{cfg.command}, cfg.args...), " "),
		Setup:    k.setup,
		Workload: k.runCommand,
		After: func(dir string) error {
			for _, f := range cfg.files {
				after := blockdev.ReadTarget(dir, f)
				if after.ReadErr != "" {
					return fmt.Errorf("-file %s cannot be read after COMMAND: %s", f, after.ReadErr)
				}
				k.after = append(k.after, after)
			}
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(stderr, "crashcheck run: %v (nothing is left mounted or attached)\n", err)
		return 2
	}
	k.log = log
	return k.check()
}

// setup copies --dir's tree into the fresh filesystem.
func (k *kernelRun) setup(dir string) error {
	if k.cfg.dir == "" {
		return nil
	}
	// "DIR/." copies DIR's content, not DIR itself (filepath.Join would
	// clean the dot away).
	src := strings.TrimSuffix(k.cfg.dir, "/") + "/."
	out, err := exec.Command("cp", "-a", "--", src, dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("copying -dir %s in: %v: %s", k.cfg.dir, err, bytes.TrimSpace(out))
	}
	return nil
}

// runCommand runs COMMAND with its working directory at the filesystem's
// root, killing its process group after -timeout.
func (k *kernelRun) runCommand(dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), k.cfg.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.cfg.command, k.cfg.args...)
	cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr = dir, k.stdin, k.stdout, k.stderr
	cmd.Env = append(k.cfg.env, "CRASHCHECK_DIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		k.exit = 0
	case ctx.Err() != nil:
		k.exit, k.note = -1, fmt.Sprintf("timed out after %v; killed with its process group", k.cfg.timeout)
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		k.exit = ee.ExitCode()
	default:
		k.exit, k.note = -1, err.Error()
	}
	if k.exit != 0 || k.note != "" {
		return fmt.Errorf("COMMAND %s", k.outcome())
	}
	return nil
}

func (k *kernelRun) outcome() string {
	if k.note != "" {
		return k.note
	}
	return fmt.Sprintf("exited %d", k.exit)
}

func (k *kernelRun) mountDesc() string {
	if k.cfg.kernel.mountOpts == "" {
		return "default mount options"
	}
	return "mount options " + k.cfg.kernel.mountOpts
}

// timeline lists the block requests up to the state's window, marking
// which the state kept; a long log is shortened to its last lines.
func (k *kernelRun) timeline(st blockdev.State) []string {
	kept := map[int]bool{}
	for _, i := range st.Kept() {
		kept[i] = true
	}
	var lines []string
	if k.log.Info.Exit == 0 {
		lines = append(lines, "--- COMMAND exited")
	}
	w := 0
	for i, e := range k.log.Entries {
		mark := ""
		if e.Kind != blockdev.Flush {
			w++
			if w > st.Window[1] {
				break
			}
			mark = "DROPPED"
			if kept[w] {
				mark = "kept"
			}
			lines = append(lines, fmt.Sprintf("#%d %-50s  [%s]", w, e, mark))
		} else {
			lines = append(lines, "   flush")
		}
		if i+1 == k.log.Info.Exit {
			lines = append(lines, "--- COMMAND exited")
		}
	}
	const keep = 40
	if len(lines) > keep {
		lines = append([]string{fmt.Sprintf("... (%d earlier requests, all kept)", len(lines)-keep)}, lines[len(lines)-keep:]...)
	}
	return append(lines, "--- crash")
}

// inspector runs the -check commands in each mounted state; what it
// returns is, for each command that failed, its index and how it failed
// (commandDetail, the wording of the in-memory run), "index\x01detail"
// joined by NUL (see checkFailures).
func (k *kernelRun) inspector() func(string, blockdev.State) string {
	if len(k.cfg.checks) == 0 {
		return nil
	}
	return func(dir string, st blockdev.State) string {
		var fails []string
		for i, c := range k.cfg.checks {
			after := "0"
			if k.exitedOK() && st.AfterExit {
				after = "1"
			}
			ctx, cancel := context.WithTimeout(context.Background(), k.cfg.checkTimeout)
			cmd := exec.CommandContext(ctx, "/bin/sh", "-c", c)
			cmd.Dir = dir
			cmd.Env = append(k.cfg.env, "CRASHCHECK_DIR="+dir, "CRASHCHECK_AFTER_EXIT="+after,
				"CRASHCHECK_CRASH_POINT="+st.Name(), "CRASHCHECK_MODEL="+k.model())
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
			out, err := cmd.CombinedOutput()
			cancel()
			if err == nil {
				continue
			}
			exit, note := -1, ""
			var ee *exec.ExitError
			switch {
			case ctx.Err() != nil:
				note = fmt.Sprintf("timed out after %v; killed with its process group", k.cfg.checkTimeout)
			case errors.As(err, &ee) && ee.ExitCode() >= 0:
				exit = ee.ExitCode()
			default:
				note = err.Error()
			}
			if len(out) > 512 {
				out = out[:512]
			}
			fails = append(fails, strconv.Itoa(i)+"\x01"+commandDetail(c, exit, note, out))
		}
		return strings.Join(fails, "\x00")
	}
}

// checkFailures decodes what inspector returned: each failed -check
// command's detail by its index.
func checkFailures(inspected string) map[int]string {
	fails := map[int]string{}
	if inspected == "" {
		return fails
	}
	for _, f := range strings.Split(inspected, "\x00") {
		i, detail, _ := strings.Cut(f, "\x01")
		n, err := strconv.Atoi(i)
		if err == nil {
			fails[n] = detail
		}
	}
	return fails
}

func (k *kernelRun) exitedOK() bool { return k.exit == 0 && k.note == "" }

// model names the kernel filesystem where a persistence model's name
// goes: in violations, reports and CRASHCHECK_MODEL.
func (k *kernelRun) model() string { return "kernel " + k.fsys.Name }
