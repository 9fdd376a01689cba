//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/crashcheck/crashcheck/faultfs/blockdev"
	"github.com/crashcheck/crashcheck/scenarios"
)

// crashcheck run --fs: COMMAND runs on a real kernel filesystem (ext4,
// xfs, btrfs) made on a loop device whose every block write and cache
// flush is recorded (package blockdev). A crash state is everything
// flushed before some point plus any subset of the writes since the last
// flush (a volatile disk cache may have written any of them); each is
// rebuilt as a sparse image, mounted read-write so that the kernel's own
// journal or log recovery runs, and judged: the --file properties, each
// --check command run in the mounted state, and the filesystem's checker
// (e2fsck -fn, xfs_repair -n, btrfs check --readonly).

// kernelVersion is what a path held: absent, or its content.
type kernelVersion struct {
	exists  bool
	data    []byte
	readErr string
}

func (v kernelVersion) same(w kernelVersion) bool {
	return v.exists == w.exists && v.readErr == w.readErr && bytes.Equal(v.data, w.data)
}

func (v kernelVersion) String() string {
	switch {
	case !v.exists:
		return "absent"
	case v.readErr != "":
		return "unreadable (" + v.readErr + ")"
	}
	const show = 24
	s := fmt.Sprintf("%d bytes %q", len(v.data), v.data[:min(show, len(v.data))])
	if len(v.data) > show {
		s += "..."
	}
	return s
}

func readVersion(path string) kernelVersion {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return kernelVersion{exists: true, data: data}
	case errors.Is(err, fs.ErrNotExist):
		return kernelVersion{}
	}
	return kernelVersion{exists: true, readErr: errText(err)}
}

// kernelRun is one crashcheck run --fs.
type kernelRun struct {
	cfg            *runConfig
	fsys           *blockdev.Filesystem
	stdin          io.Reader
	stdout, stderr io.Writer
	before, after  map[string]kernelVersion // each --file before and after COMMAND
	exit           int                      // COMMAND's exit status, -1 if it did not simply exit
	note           string                   // how COMMAND ended otherwise
	log            *blockdev.Log
}

func runKernelFS(cfg *runConfig, stdin io.Reader, stdout, stderr io.Writer) int {
	k := &kernelRun{cfg: cfg, fsys: blockdev.Filesystems[cfg.kernel.fs], stdin: stdin, stdout: stdout, stderr: stderr,
		before: map[string]kernelVersion{}, after: map[string]kernelVersion{}}
	if err := blockdev.Available(); err != nil {
		fmt.Fprintf(stderr, "crashcheck run: %v\n", err)
		return 2
	}
	if err := k.fsys.Available(); err != nil {
		fmt.Fprintf(stderr, "crashcheck run: %v\n", err)
		return 2
	}
	for _, f := range cfg.files {
		if cfg.dir == "" {
			k.before[f] = kernelVersion{}
		} else {
			k.before[f] = readVersion(filepath.Join(cfg.dir, f))
		}
	}
	log, err := blockdev.Record(blockdev.RecordOptions{
		FS: k.fsys, MkfsOpts: cfg.kernel.mkfsArgs(), MountOpts: cfg.kernel.mountOpts,
		Settle: cfg.kernel.settle, Name: strings.Join(append([]string{cfg.command}, cfg.args...), " "),
		Setup:    k.setup,
		Workload: k.runCommand,
		After: func(dir string) error {
			for _, f := range cfg.files {
				k.after[f] = readVersion(filepath.Join(dir, f))
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
		return fmt.Errorf("copying --dir %s in: %v: %s", k.cfg.dir, err, bytes.TrimSpace(out))
	}
	return nil
}

// runCommand runs COMMAND with its working directory at the filesystem's
// root, killing its process group after --timeout.
func (k *kernelRun) runCommand(dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), k.cfg.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.cfg.command, k.cfg.args...)
	cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr = dir, k.stdin, k.stdout, k.stderr
	cmd.Env = append(os.Environ(), "CRASHCHECK_DIR="+dir)
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

// kernelViolation is a violation found in a state, with the state's size
// (writes applied), to keep the smallest.
type kernelViolation struct {
	v    scenarios.Violation
	kept int
	n    int // states that violated it
}

// check enumerates and judges the states, and reports.
func (k *kernelRun) check() int {
	en := blockdev.Enumerate(k.log, blockdev.EnumOptions{MaxPerWindow: k.cfg.kernel.perWindow, Seed: k.cfg.seed})
	found := map[string]*kernelViolation{}
	var order []string
	add := func(name, property, path, detail string, st blockdev.State) {
		kv := found[name]
		if kv == nil {
			kv = &kernelViolation{kept: -1}
			found[name] = kv
			order = append(order, name)
		}
		kv.n++
		if kept := len(st.Kept()); kv.kept < 0 || kept < kv.kept {
			kv.kept = kept
			kv.v = scenarios.Violation{Invariant: name, Property: property, Path: path, Kind: scenarios.AfterCrash,
				Model: "kernel " + k.fsys.Name, Point: st.Prefix, State: st.Name(), Detail: detail,
				Timeline: k.timeline(st)}
		}
	}
	okExit := k.exit == 0 && k.note == ""
	start := time.Now()
	checked := 0
	err := blockdev.Check(k.log, en.States, blockdev.CheckOptions{Targets: k.cfg.files, Fsck: true, Inspect: k.inspector()}, func(o blockdev.Outcome) {
		checked++
		st := o.State
		if o.MountErr != "" {
			add("Mountable", "mountable", "", "the kernel could not mount the state: "+o.MountErr, st)
			return
		}
		if o.Fsck != "" {
			add("Consistent", "consistent", "", "the filesystem's checker flags the state after recovery: "+o.Fsck, st)
		}
		for _, f := range o.Files {
			got := kernelVersion{exists: f.Present, data: f.Data, readErr: f.ReadErr}
			old, new := k.before[f.Path], k.after[f.Path]
			if !got.same(old) && !got.same(new) {
				add("AtomicReplace("+f.Path+")", "atomic", f.Path, fmt.Sprintf("%s holds %s: neither the old content (%s) nor the new (%s)",
					f.Path, got, old, new), st)
			}
			if k.cfg.durable && okExit && st.AfterExit && !got.same(new) {
				add("Durable("+f.Path+")", "durable", f.Path, fmt.Sprintf("after COMMAND exited 0, a crash left %s holding %s instead of the new content (%s)",
					f.Path, got, new), st)
			}
		}
		if o.Inspected != "" {
			for _, line := range strings.Split(o.Inspected, "\x00") {
				name, detail, _ := strings.Cut(line, "\x01")
				add(name, "check", "", detail, st)
			}
		}
	})
	elapsed := time.Since(start)
	if err != nil {
		fmt.Fprintf(k.stderr, "crashcheck run: checking states: %v (nothing is left mounted or attached)\n", err)
		return 2
	}
	rep := &scenarios.Report{Name: "crashcheck run --fs " + k.fsys.Name, Models: []string{"kernel " + k.fsys.Name},
		CrashPoints: len(k.log.Entries) + 1, States: checked, Exhaustive: en.Exhaustive}
	for _, name := range order {
		rep.Violations = append(rep.Violations, found[name].v)
	}
	sort.SliceStable(rep.Violations, func(i, j int) bool {
		return found[rep.Violations[i].Invariant].kept < found[rep.Violations[j].Invariant].kept
	})
	cov := "exhaustive"
	if !en.Exhaustive {
		cov = fmt.Sprintf("sampled beyond %d per window, seed %d", k.cfg.kernel.perWindow, k.cfg.seed)
	}
	fmt.Fprintf(k.stdout, "crashcheck run: kernel %s (%s): %d block writes, %d flushes, %d unflushed windows, %d states (%s), %.0f states/s; COMMAND %s\n",
		k.fsys.Name, k.mountDesc(), k.log.Writes(), len(k.log.Entries)-k.log.Writes(), en.Windows, checked, cov,
		float64(checked)/elapsed.Seconds(), k.outcome())
	if k.cfg.jsonPath != "" {
		out := jsonReport{ReportJSON: rep.JSON(), Model: "kernel " + k.fsys.Name, CommandExit: k.exit}
		out.Ops = k.log.Writes()
		if err := writeJSON(k.cfg.jsonPath, out); err != nil {
			fmt.Fprintf(k.stderr, "crashcheck run: %v\n", err)
			return 2
		}
	}
	if rep.OK() {
		fmt.Fprintln(k.stdout, "no violation")
		return 0
	}
	fmt.Fprintf(k.stdout, "%d violation(s); each shows the state with the fewest writes, and how many states broke it:\n", len(rep.Violations))
	for _, v := range rep.Violations {
		fmt.Fprintln(k.stdout)
		io.WriteString(k.stdout, v.String())
		fmt.Fprintf(k.stdout, "  %d state(s) of %d violate it\n", found[v.Invariant].n, checked)
	}
	return 1
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

// inspector runs the --check commands in each mounted state; a failure
// comes back as "name\x01detail" lines joined by NUL.
func (k *kernelRun) inspector() func(string, blockdev.State) string {
	if len(k.cfg.checks) == 0 {
		return nil
	}
	okExit := k.exit == 0 && k.note == ""
	return func(dir string, st blockdev.State) string {
		var fails []string
		for _, c := range k.cfg.checks {
			after := "0"
			if okExit && st.AfterExit {
				after = "1"
			}
			ctx, cancel := context.WithTimeout(context.Background(), k.cfg.timeout)
			cmd := exec.CommandContext(ctx, "/bin/sh", "-c", c)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "CRASHCHECK_DIR="+dir, "CRASHCHECK_AFTER_EXIT="+after,
				"CRASHCHECK_CRASH_POINT="+st.Name(), "CRASHCHECK_MODEL=kernel "+k.fsys.Name)
			out, err := cmd.CombinedOutput()
			cancel()
			if err != nil {
				out = bytes.TrimSpace(out)
				if len(out) > 512 {
					out = out[:512]
				}
				fails = append(fails, fmt.Sprintf("Check(%s)\x01%s: %v: %s", c, c, err, out))
			}
		}
		return strings.Join(fails, "\x00")
	}
}
