//go:build linux

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs/fuse"
)

// benchRun runs `crashcheck run` b.N times on a workload that writes eight
// files without any fsync (so every crash point has many states) and
// reports crash states checked per second of the whole command: mount,
// COMMAND, enumeration and checks.
func benchRun(b *testing.B, extra ...string) {
	tree := benchTree(b)
	script := `for i in 1 2 3 4 5 6 7; do echo $i > g$i; done; echo new > f`
	args := append([]string{"--dir", tree, "--model", "posix", "--file", "f"}, extra...)
	// `echo new > f` truncates in place: a violation
	benchCommand(b, 1, append(args, "--", "sh", "-c", script))
}

// benchTree is a --dir holding f ("old").
func benchTree(b *testing.B) string {
	benchNeedsMount(b)
	tree := filepath.Join(b.TempDir(), "tree")
	if err := os.MkdirAll(tree, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tree, "f"), []byte("old\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return tree
}

func benchNeedsMount(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("crashcheck run mounts FUSE with mount(2): needs root")
	}
	if err := fuse.Available(); err != nil {
		b.Skipf("crashcheck run needs FUSE: %v", err)
	}
}

// benchCommand runs `crashcheck run --quiet --json FILE args...` b.N
// times, wanting exit status want, and reports the crash states checked
// per second and per run.
func benchCommand(b *testing.B, want int, args []string) {
	report := filepath.Join(b.TempDir(), "report.json")
	args = append([]string{"run", "--quiet", "--json", report}, args...)
	states := 0
	b.ResetTimer()
	for b.Loop() {
		if code := Main(args, strings.NewReader(""), io.Discard, io.Discard); code != want {
			b.Fatalf("crashcheck %s exited %d, want %d", strings.Join(args, " "), code, want)
		}
		var rep jsonReport
		raw, err := os.ReadFile(report)
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(raw, &rep); err != nil {
			b.Fatal(err)
		}
		states += rep.States
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
	b.ReportMetric(float64(states)/float64(b.N), "states/run")
}

// BenchmarkRunFile: states checked per second with --file (checked in
// memory). Target: at least 10,000/s.
func BenchmarkRunFile(b *testing.B) { benchRun(b) }

// BenchmarkRunCheckTrue: states checked per second with a --check command,
// each state served at the mount. Target: at least 200/s.
func BenchmarkRunCheckTrue(b *testing.B) { benchRun(b, "--check", "true", "--max-states", "64") }

// BenchmarkRunCheck: --check 'true' against the number of crash states
// (under the process model, one a crash point: a command creating files),
// with --jobs 1 and with one job a CPU. Every state is distinct, so each
// is one run of the check: states/s is the cost of serving a state and
// running a command in it. It falls as the tree grows (5,000 files: about
// 50 states/s here): each state is copied out (CrashState.Mem) and
// hashed whole, so the pass is quadratic in the files created.
func BenchmarkRunCheck(b *testing.B) {
	for _, files := range []int{0, 100, 1000} {
		for _, jobs := range []string{"1", "cpus"} {
			b.Run(fmt.Sprintf("files=%d/jobs=%s", files, jobs), func(b *testing.B) {
				tree := benchTree(b)
				args := []string{"--dir", tree, "--model", "process", "--check", "true"}
				if jobs != "cpus" {
					args = append(args, "--jobs", jobs)
				}
				script := fmt.Sprintf(`i=0; while [ $i -lt %d ]; do : > f$i; i=$((i+1)); done`, files)
				benchCommand(b, 0, append(args, "--", "sh", "-c", script))
			})
		}
	}
}

// BenchmarkRunSQLiteREADME is the README's sqlite example, timed whole
// (ns/op is its wall time; target: under 20 s):
//
//	crashcheck run --dir db --recover 'sqlite3 app.db "pragma integrity_check"' \
//	  --check 'sqlite3 "file:app.db?immutable=1" "select count(*) from t"' \
//	  -- sqlite3 app.db 'insert into t values (1)'
func BenchmarkRunSQLiteREADME(b *testing.B) {
	benchNeedsMount(b)
	if _, err := exec.LookPath("sqlite3"); err != nil {
		b.Skip("the README's example needs sqlite3 (apt-get install sqlite3)")
	}
	db := filepath.Join(b.TempDir(), "db")
	if err := os.Mkdir(db, 0o755); err != nil {
		b.Fatal(err)
	}
	if out, err := exec.Command("sqlite3", filepath.Join(db, "app.db"), "create table t(x)").CombinedOutput(); err != nil {
		b.Fatalf("creating app.db: %v: %s", err, out)
	}
	// sqlite3 is run with its working directory at the mount.
	wd, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	if err := os.Chdir(db); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.Chdir(wd) })
	benchCommand(b, 0, []string{"--dir", ".",
		"--recover", `sqlite3 app.db "pragma integrity_check"`,
		"--check", `sqlite3 "file:app.db?immutable=1" "select count(*) from t"`,
		"--", "sqlite3", "app.db", "insert into t values (1)"})
}
