package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"strings"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/faultfs/fuse"
)

func init() {
	register("run", "crash-test any program through a FUSE mount", runMain)
}

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
	jsonPath  string
	mounts    []string // --mount: further directories mounted from the same Mem
	isolate   bool     // --isolate: the rest of the file system is read-only
	command   string   // resolved with exec.LookPath
	args      []string
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

const runUsage = `usage: crashcheck run [flags] -- COMMAND [ARG...]

Runs COMMAND once on an in-memory filesystem mounted through FUSE, records
every operation it makes, and checks properties in every state a crash at
any point could leave (per persistence model).

Exit status: 0 no violation, 1 at least one violation, 2 usage or set-up
error. COMMAND's own exit status is reported but does not decide it.
--check and --recover commands see CRASHCHECK_AFTER_EXIT (1 if the crash
came after COMMAND exited 0, else 0), CRASHCHECK_CRASH_POINT and
CRASHCHECK_MODEL in their environment.

Flags:
`

// parseRun parses crashcheck run's arguments. A usage problem comes back as
// an error whose text is the one line to print.
func parseRun(args []string, stderr io.Writer) (*runConfig, error) {
	cfg := &runConfig{}
	fs := flag.NewFlagSet("crashcheck run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var files, checks, recovers, mounts multiFlag
	fs.StringVar(&cfg.dir, "dir", "", "copy `DIR`'s tree in as the initial, durable state (default empty)")
	fs.StringVar(&cfg.modelName, "model", "posix", "persistence `model`: "+faultfs.ModelNames()+"|all")
	fs.Var(&files, "file", "`PATH` (repeatable) must hold exactly its initial or its final content after any crash")
	fs.BoolVar(&cfg.durable, "durable", false, "a crash after COMMAND exited 0 must leave every --file with its final content")
	fs.Var(&checks, "check", "`CMD` (repeatable) run with sh -c in each crash state, read-only; non-zero exit is a violation")
	fs.Var(&recovers, "recover", "`CMD` (repeatable) run with sh -c on a writable copy of each state before the checks")
	fs.IntVar(&cfg.maxStates, "max-states", faultfs.DefaultMaxStates, "states per crash point before sampling")
	fs.Uint64Var(&cfg.seed, "seed", 0, "seed of the sample taken beyond --max-states")
	fs.DurationVar(&cfg.timeout, "timeout", 60*time.Second, "kill COMMAND and its process group after this long")
	fs.StringVar(&cfg.jsonPath, "json", "", "also write the report as JSON to `FILE`")
	fs.Var(&mounts, "mount", "`PATH` (repeatable): also copy this directory in and mount it at its real path, from the same in-memory disk")
	fs.BoolVar(&cfg.isolate, "isolate", false, "refuse writes outside the mounts: everything else but /dev, /proc, /sys is read-only for COMMAND and the checks (without it, files written outside are only reported, and mkdir, rename or unlink there are not seen)")
	fs.Usage = func() {
		fmt.Fprint(stderr, runUsage)
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return nil, err
		}
		return nil, err
	}
	cfg.files, cfg.checks, cfg.recovers, cfg.mounts = files, checks, recovers, mounts
	if cfg.modelName == "all" {
		cfg.models = faultfs.Models()
	} else {
		m, err := faultfs.ParseModel(cfg.modelName)
		if err != nil {
			return nil, fmt.Errorf("unknown model %q (want %s|all)", cfg.modelName, faultfs.ModelNames())
		}
		cfg.models = []faultfs.Model{m}
	}
	if cfg.maxStates < 1 {
		return nil, fmt.Errorf("--max-states must be at least 1, not %d", cfg.maxStates)
	}
	if cfg.timeout <= 0 {
		return nil, fmt.Errorf("--timeout must be positive, not %v", cfg.timeout)
	}
	for i, f := range cfg.files {
		clean := path.Clean("/" + f)[1:]
		if clean == "" || f == "" {
			return nil, fmt.Errorf("--file %q names the root, not a file", f)
		}
		if path.IsAbs(f) {
			return nil, fmt.Errorf("--file %q is absolute; name it relative to --dir", f)
		}
		if c := path.Clean(f); c == ".." || strings.HasPrefix(c, "../") {
			return nil, fmt.Errorf("--file %q is outside --dir's tree", f)
		}
		cfg.files[i] = clean
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return nil, errors.New("no COMMAND given (crashcheck run [flags] -- COMMAND [ARG...])")
	}
	cmd, err := exec.LookPath(rest[0])
	if err != nil {
		return nil, fmt.Errorf("COMMAND not found: %v", err)
	}
	cfg.command, cfg.args = cmd, rest[1:]
	if cfg.dir != "" {
		if fi, err := os.Stat(cfg.dir); err != nil {
			return nil, fmt.Errorf("--dir: %v", err)
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("--dir %s is not a directory", cfg.dir)
		}
	}
	return cfg, nil
}

// What run asks of the machine before mounting; tests replace them to
// reach the set-up errors a root test machine never shows.
var (
	geteuid       = os.Geteuid
	fuseAvailable = fuse.Available
)

func runMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseRun(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "crashcheck run: %v\n", err)
		return 2
	}
	if geteuid() != 0 {
		fmt.Fprintln(stderr, "crashcheck run: not root: mounting the test filesystem with FUSE needs root")
		return 2
	}
	if err := fuseAvailable(); err != nil {
		fmt.Fprintf(stderr, "crashcheck run: %v\n", err)
		return 2
	}
	r := &runner{cfg: cfg, stdin: stdin, stdout: stdout, stderr: stderr}
	return r.run()
}
