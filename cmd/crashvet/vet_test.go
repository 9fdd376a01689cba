package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// diagnostic is one finding as go vet -json prints it.
type diagnostic struct {
	Category string `json:"category"`
	Posn     string `json:"posn"`
	Message  string `json:"message"`
}

// vet builds crashvet and runs it as go vet's tool on pkgs from the
// module root, returning every diagnostic.
func vet(t *testing.T, pkgs ...string) []diagnostic {
	t.Helper()
	if testing.Short() {
		t.Skip("builds crashvet and vets packages: not in -short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	tool := filepath.Join(t.TempDir(), "crashvet")
	if out, err := exec.Command(gobin, "build", "-o", tool, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// go vet caches a tool's clean results under the tool's build ID (a
	// hash of its file), and then prints nothing: a nonce appended to the
	// executable makes every run a new tool, so the packages are vetted.
	f, err := os.OpenFile(tool, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "\ncrashvet test nonce %d\n", time.Now().UnixNano())
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gobin, append([]string{"vet", "-vettool=" + tool, "-json"}, pkgs...)...)
	cmd.Dir = filepath.Join("..", "..")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, stderr.Bytes())
	}
	// The output is "# package" lines, each followed by a JSON object
	// {package: {analyzer: [diagnostics]}}.
	var lines []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	dec := json.NewDecoder(strings.NewReader(strings.Join(lines, "\n")))
	var out []diagnostic
	for {
		var obj map[string]map[string]json.RawMessage
		if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go vet -json output: %v\n%s", err, stderr.Bytes())
		}
		for _, byAnalyzer := range obj {
			for name, raw := range byAnalyzer {
				var ds []diagnostic
				if err := json.Unmarshal(raw, &ds); err != nil {
					t.Fatalf("%s: %v: %s", name, err, raw) // an analyzer error, not a list
				}
				out = append(out, ds...)
			}
		}
	}
	return out
}

// stdPackages are standard packages that create, rename, sync and
// rewrite files; none is a save path the rules apply to.
var stdPackages = []string{"os", "io", "io/fs", "io/ioutil", "archive/tar", "archive/zip",
	"compress/gzip", "encoding/json", "path/filepath", "os/exec", "cmd/internal/robustio"}

// TestGoVetTool runs crashvet once as go vet's tool (one run, so that the
// facts of the packages' dependencies are computed once) over the
// production writer, the scenario suite and standard packages, and
// checks that it reports nothing on the writer, on the standard library
// and on the suite but its zoo of broken writers, and that it does report
// the zoo's broken recipes that fit a rule.
func TestGoVetTool(t *testing.T) {
	pkgs := append([]string{"./writer/...", "./cmd/atomicwrite/...", "./scenarios/suite/"}, stdPackages...)
	var zoo []string
	for _, d := range vet(t, pkgs...) {
		file := d.Posn
		if i := strings.IndexByte(file, ':'); i >= 0 {
			file = file[:i]
		}
		base := filepath.Base(file)
		if filepath.Base(filepath.Dir(file)) != "suite" || !strings.HasPrefix(base, "zoo_") {
			t.Errorf("false positive: %s: %s", d.Posn, d.Message)
			continue
		}
		zoo = append(zoo, base+" "+d.Category)
	}
	for _, want := range []string{
		"zoo_fsync_after_rename.go sync-after-rename",
		"zoo_fsync_retried.go sync-retried",
		"zoo_python_recipe.go rename-nosync",
		"zoo_python_recipe.go rename-nodirsync",
		"zoo_tmpdir_copy.go rename-nosync",
	} {
		if !slices.Contains(zoo, want) {
			t.Errorf("missed %s; the zoo gave %q", want, zoo)
		}
	}
}
