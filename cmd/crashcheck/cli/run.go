//go:build linux

package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/fuse"
)

// runConfig is what the flags of crashcheck run ask for.
type runConfig struct {
	dir       string
	modelName string
	models    []faultfs.Model
	files     []string
	durable   bool
	checks    []string
	recovers  []string
	maxStates int
	seed      uint64
	timeout   time.Duration
	// checkTimeout bounds each --check and --recover command.
	checkTimeout time.Duration
	quiet        bool // --quiet: no progress lines
	jobs         int  // --jobs: mounts checking states at once
	jsonPath     string
	mounts       []string // --mount: further directories mounted from the same Mem
	isolate      bool     // --isolate: the rest of the file system is read-only
	user         *nsCred  // --user: who COMMAND, the server and the checks run as; nil: root
	start        string   // --start: a server started before COMMAND
	ready        string   // --ready: exits 0 once the server is up
	readyWait    time.Duration
	stopWait     time.Duration
	ack          *regexp.Regexp // --ack: COMMAND's stdout lines that are acknowledgements
	command      string         // resolved with Invocation.lookPath
	env          []string       // COMMAND's and the checks' environment (Invocation.Env)
	args         []string
	kernel       kernelFSConfig // --fs and its flags (runfs_flags.go)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

const runUsage = `usage: crashcheck run [flags] -- COMMAND [ARG...]

Runs COMMAND once on an in-memory filesystem mounted through FUSE, records
every operation it makes, and checks properties in every state a crash at
any point could leave (per persistence model).

Exit status: 0 no violation, 1 at least one violation, 2 usage or set-up
error, or something could not be tested (a NOT TESTED line says what:
COMMAND changed nothing on the mount, or a -file exists in no state).
COMMAND's own exit status is reported but does not decide it.
-check and -recover commands see CRASHCHECK_AFTER_EXIT (1 if the crash
came after COMMAND exited 0, else 0), CRASHCHECK_CRASH_POINT and
CRASHCHECK_MODEL in their environment, and with -ack CRASHCHECK_ACKS, a
file listing the acknowledged lines printed before the crash point, one a
line (so "every acknowledged record survives" is one check).

A server under test: -start starts it in the namespace before COMMAND
(as -user, if given), -ready says when it is up, COMMAND is the client
workload; then the server is stopped with SIGTERM (SIGKILL after
-stop-timeout). Crash points cover all it did, start-up and shutdown
included. To recover or query it in each crash state, start it again in
-recover or -check, e.g.
  -recover 'redis-server redis.conf & until redis-cli ping; do sleep 0.05; done; redis-cli shutdown'
(everything a -check or -recover left running is killed when it ends).

Flags:
`

// parseRun parses crashcheck run's arguments, made in inv: the paths in
// the config it returns are resolved against inv.Dir, and COMMAND on its
// PATH. A usage problem comes back as a usage error (one line naming the
// flag), -h as flag.ErrHelp.
func parseRun(inv Invocation, args []string) (*runConfig, *flag.FlagSet, error) {
	// Clipped, so that an append (CRASHCHECK_ variables for a check) makes
	// a copy: checks run in parallel, and inv.Env is the caller's.
	cfg := &runConfig{env: slices.Clip(inv.environ())}
	fs := flag.NewFlagSet("crashcheck run", flag.ContinueOnError)
	var files, checks, recovers, mounts multiFlag
	var userSpec, ackExpr string
	if inv.DefaultDir == "" {
		fs.StringVar(&cfg.dir, "dir", "", "copy `DIR`'s tree in as the initial, durable state (default empty)")
	} else {
		fs.StringVar(&cfg.dir, "dir", inv.DefaultDir, "copy `DIR`'s tree in as the initial, durable state")
	}
	fs.StringVar(&cfg.modelName, "model", "posix", modelFlagHelp("check every crash state under each"))
	fs.Var(&files, "file", "`PATH` (repeatable) must hold exactly its initial or its final content after any crash")
	fs.BoolVar(&cfg.durable, "durable", false, "a crash after COMMAND exited 0 must leave every -file with its final content")
	fs.Var(&checks, "check", "`CMD` (repeatable) run with sh -c in each crash state, read-only; non-zero exit is a violation")
	fs.Var(&recovers, "recover", "`CMD` (repeatable) run with sh -c on a writable copy of each state before the checks")
	fs.IntVar(&cfg.maxStates, "max-states", faultfs.DefaultMaxStates, "states per crash point before sampling")
	fs.Uint64Var(&cfg.seed, "seed", 0, "seed of the sample taken beyond -max-states")
	fs.DurationVar(&cfg.timeout, "timeout", 60*time.Second, "kill COMMAND (and everything it started) after this long; -check-timeout bounds the checks")
	fs.DurationVar(&cfg.checkTimeout, "check-timeout", 60*time.Second, "kill a -check or -recover command (and everything it started) after this long; a timed-out check is a violation")
	fs.BoolVar(&cfg.quiet, "quiet", false, "print no progress lines on stderr")
	fs.IntVar(&cfg.jobs, "jobs", 0, "run -check and -recover commands on `N` mounts at once, each in a namespace of its own; the report is the same for any N, but checks that share something outside the mounts (a socket, a port, a file) must use -jobs 1 (default: the number of CPUs; 1 with -start, whose server the checks usually restart)")
	fs.StringVar(&cfg.jsonPath, "json", "", "also write the report as JSON to `FILE`")
	fs.Var(&mounts, "mount", "`PATH` (repeatable): also copy this directory in and mount it at its real path, from the same in-memory disk")
	fs.BoolVar(&cfg.isolate, "isolate", false, "refuse changes outside the mounts: everything else but /dev, /proc, /sys is read-only for COMMAND and the checks (without it, files written, created, renamed, removed, chmod'ed or chown'ed outside are only reported, in a warning listing the paths)")
	addKernelFSFlags(fs, &cfg.kernel)
	fs.StringVar(&userSpec, "user", "", "run COMMAND, -start, -check and -recover as `USER[:GROUP]` (names or numbers; a named user gets its supplementary groups too)")
	fs.StringVar(&cfg.start, "start", "", "`CMD` run with sh -c in the namespace before COMMAND: a server under test, which COMMAND is a client of; stopped after COMMAND with SIGTERM to its process group (SIGKILL after -stop-timeout)")
	fs.StringVar(&cfg.ready, "ready", "", "`CMD` run with sh -c every 50ms after -start until it exits 0; then COMMAND starts")
	fs.DurationVar(&cfg.readyWait, "ready-timeout", 30*time.Second, "give up (exit 2) if -ready has not succeeded after this long")
	fs.DurationVar(&cfg.stopWait, "stop-timeout", 10*time.Second, "after SIGTERM, wait this long for the -start server's process group to end before SIGKILL")
	fs.StringVar(&ackExpr, "ack", "", "lines of COMMAND's stdout matching `REGEX` are acknowledgements: marks in the log; -check and -recover find those made before their crash point in the file named by CRASHCHECK_ACKS")
	if err := parseFlags(fs, args, true); err != nil {
		return nil, fs, err
	}
	if ackExpr != "" {
		re, err := regexp.Compile(ackExpr)
		if err != nil {
			return nil, fs, badFlag("ack", ackExpr, err.Error())
		}
		cfg.ack = re
	}
	if cfg.start == "" && cfg.ready != "" {
		return nil, fs, badFlag("ready", cfg.ready, "needs -start: it says when the -start server is up")
	}
	if cfg.readyWait <= 0 {
		return nil, fs, badFlag("ready-timeout", cfg.readyWait.String(), "want a positive duration")
	}
	if cfg.stopWait <= 0 {
		return nil, fs, badFlag("stop-timeout", cfg.stopWait.String(), "want a positive duration")
	}
	if userSpec != "" {
		u, err := parseUser(userSpec)
		if err != nil {
			return nil, fs, err
		}
		cfg.user = u
	}
	cfg.files, cfg.checks, cfg.recovers, cfg.mounts = files, checks, recovers, mounts
	if err := cfg.kernel.validate(cfg); err != nil {
		return nil, fs, err
	}
	var err error
	if cfg.models, err = parseModels(cfg.modelName); err != nil {
		return nil, fs, err
	}
	if cfg.maxStates < 1 {
		return nil, fs, badFlag("max-states", strconv.Itoa(cfg.maxStates), "want at least 1")
	}
	if cfg.timeout <= 0 {
		return nil, fs, badFlag("timeout", cfg.timeout.String(), "want a positive duration")
	}
	if cfg.checkTimeout <= 0 {
		return nil, fs, badFlag("check-timeout", cfg.checkTimeout.String(), "want a positive duration")
	}
	switch {
	case cfg.jobs == 0 && cfg.start != "":
		cfg.jobs = 1
	case cfg.jobs == 0:
		cfg.jobs = runtime.NumCPU()
	case cfg.jobs < 1:
		return nil, fs, badFlag("jobs", strconv.Itoa(cfg.jobs), "want at least 1")
	}
	for i, f := range cfg.files {
		clean := path.Clean("/" + f)[1:]
		if clean == "" || f == "" {
			return nil, fs, badFlag("file", f, "names the root, not a file")
		}
		if path.IsAbs(f) {
			return nil, fs, badFlag("file", f, "is absolute; name it relative to -dir")
		}
		if c := path.Clean(f); c == ".." || strings.HasPrefix(c, "../") {
			return nil, fs, badFlag("file", f, "is outside -dir's tree")
		}
		cfg.files[i] = clean
	}
	if cfg.dir != "" {
		if fi, err := os.Stat(inv.path(cfg.dir)); err != nil {
			return nil, fs, badFlag("dir", cfg.dir, errText(err))
		} else if !fi.IsDir() {
			return nil, fs, badFlag("dir", cfg.dir, "not a directory")
		}
		cfg.dir = inv.path(cfg.dir)
	}
	for i, m := range cfg.mounts {
		cfg.mounts[i] = inv.path(m)
	}
	if cfg.jsonPath != "" {
		cfg.jsonPath = inv.path(cfg.jsonPath)
		if err := checkReportPath("json", cfg.jsonPath); err != nil {
			return nil, fs, err
		}
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return nil, fs, usagef("no COMMAND given (crashcheck run [flags] -- COMMAND [ARG...])")
	}
	cmd, err := inv.lookPath(rest[0])
	if err != nil {
		return nil, fs, usagef("COMMAND not found: %v", err)
	}
	cfg.command, cfg.args = cmd, rest[1:]
	if len(cfg.files) == 0 && len(cfg.checks) == 0 && len(cfg.recovers) == 0 {
		return nil, fs, usagef("nothing to check: give -file, -check or -recover")
	}
	return cfg, fs, nil
}

// What run asks of the machine before mounting; tests replace them to
// reach the set-up errors a root test machine never shows.
var (
	geteuid       = os.Geteuid
	fuseAvailable = fuse.Available
)

func runMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runIn(Invocation{Stdin: stdin, Stdout: stdout, Stderr: stderr}, args)
}

// runIn is crashcheck run with args in inv, whose Stdout and Stderr are set.
func runIn(inv Invocation, args []string) int {
	cfg, fs, err := parseRun(inv, args)
	if err != nil {
		return parseFailed(inv.Stderr, "run", runUsage, fs, err)
	}
	if err := CanRun(); err != nil {
		fmt.Fprintf(inv.Stderr, "crashcheck run: %v\n", err)
		return 2
	}
	if cfg.kernel.fs != "" {
		return runKernelFS(cfg, inv.Stdin, inv.Stdout, inv.Stderr)
	}
	r := &runner{cfg: cfg, stdin: inv.Stdin, stdout: inv.Stdout, stderr: inv.Stderr}
	return r.run()
}
