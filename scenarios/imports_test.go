// The zoo (scenarios/suite) reads syscall.Stat_t, which Windows lacks.

//go:build !windows

package scenarios_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/crashcheck/crashcheck/scenarios/suite"
)

// module is this module's path.
const module = "github.com/crashcheck/crashcheck"

// TestImportGraph pins the rooms of the module: faultfs stands alone,
// faultfs/fuse and writer on faultfs only, scenarios on faultfs and (for
// CheckDir, on Linux) faultfs/fuse, and the writer's suite and the zoo
// (scenarios/suite) on those. It reads the packages' non-test imports,
// transitively, with go list.
func TestImportGraph(t *testing.T) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on $PATH: cannot list the packages' imports")
	}
	allowed := map[string][]string{
		"faultfs":         nil,
		"faultfs/fuse":    {"faultfs"},
		"writer":          {"faultfs"},
		"scenarios":       {"faultfs", "faultfs/fuse"},
		"scenarios/suite": {"faultfs", "faultfs/fuse", "scenarios", "writer"},
	}
	var pkgs []string
	for p := range allowed {
		pkgs = append(pkgs, module+"/"+p)
	}
	slices.Sort(pkgs)
	cmd := exec.Command(gocmd, append([]string{"list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}"}, pkgs...)...)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], module+"/")
		if !ok {
			t.Fatalf("go list printed %q, not a package of %s", fields[0], module)
		}
		want, ok := allowed[pkg]
		if !ok {
			t.Fatalf("go list printed %s, which was not asked for", pkg)
		}
		seen++
		var got []string
		for _, d := range fields[1:] {
			if p, ok := strings.CutPrefix(d, module+"/"); ok {
				got = append(got, p)
			}
		}
		for _, p := range got {
			if !slices.Contains(want, p) {
				t.Errorf("%s imports %s (directly or not); it may import only %q of this module", pkg, p, want)
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("go list described %d packages, want %d:\n%s", seen, len(allowed), out)
	}
}

// TestDocShowsOnlyHarness: the documentation of package scenarios (what
// go doc prints: the package doc, and every exported declaration with its
// doc) names none of the suite's identifiers (Register, Scenario,
// WriterCase, ...) nor any broken writer of its zoo (zoo/truncate-in-place,
// ...). The package doc may point at package scenarios/suite; it may not
// document it.
func TestDocShowsOnlyHarness(t *testing.T) {
	harness := exportedDoc(t, ".")
	var names []string
	for _, d := range exportedDoc(t, "suite").decls {
		names = append(names, d.name)
	}
	for _, s := range suite.Select("zoo/") {
		names = append(names, s.Name)
		if _, bare, ok := strings.Cut(s.Name, "/"); ok {
			names = append(names, bare)
		}
	}
	if len(names) < 10 || !slices.Contains(names, "Register") || !slices.Contains(names, "zoo/truncate-in-place") {
		t.Fatalf("found only %q in package suite: the test no longer reads it", names)
	}
	texts := append([]decl{{"package doc", harness.doc}}, harness.decls...)
	for _, name := range names {
		word := regexp.MustCompile(`(^|[^\w/-])` + regexp.QuoteMeta(name) + `($|[^\w/-])`)
		for _, d := range texts {
			if d.name == name {
				t.Errorf("package scenarios declares %s, an identifier of package suite", name)
			}
			if word.MatchString(d.text) {
				t.Errorf("the doc of scenarios' %s names %s of package suite:\n%s", d.name, name, d.text)
			}
		}
	}
	for _, d := range harness.decls {
		if m := regexp.MustCompile(`(?i)zoo|regist|suite`).FindString(d.name); m != "" {
			t.Errorf("package scenarios exports %s: the harness has no %s", d.name, m)
		}
	}
}

// decl is an exported declaration's name and doc.
type decl struct{ name, text string }

// pkgDoc is what go doc shows of a package: its doc, and its exported
// declarations (methods named Type.Method).
type pkgDoc struct {
	doc   string
	decls []decl
}

// exportedDoc reads the documentation of the package in dir from its
// non-test files.
func exportedDoc(t *testing.T, dir string) pkgDoc {
	t.Helper()
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, p, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, filepath.Join(module, "scenarios", dir))
	if err != nil {
		t.Fatal(err)
	}
	out := pkgDoc{doc: p.Doc}
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			for _, n := range v.Names {
				out.decls = append(out.decls, decl{n, v.Doc})
			}
		}
	}
	funcs := func(prefix string, fs []*doc.Func) {
		for _, f := range fs {
			out.decls = append(out.decls, decl{prefix + f.Name, f.Doc})
		}
	}
	values(p.Consts)
	values(p.Vars)
	funcs("", p.Funcs)
	for _, ty := range p.Types {
		out.decls = append(out.decls, decl{ty.Name, ty.Doc})
		values(ty.Consts)
		values(ty.Vars)
		funcs("", ty.Funcs)
		funcs(ty.Name+".", ty.Methods)
	}
	return out
}
