package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Analyzer is crashvet's analyzer: see the package doc for what it
// reports.
var Analyzer = &analysis.Analyzer{
	Name: "crashvet",
	Doc:  "report file-saving code that a crash can leave empty, torn or lost\n\n" + docRules,
	URL:  "https://pkg.go.dev/github.com/crashcheck/crashcheck/cmd/crashvet/analyzer",
	Run:  run,
}

const docRules = `crashvet reports, in non-test files only:
  in-place:     os.WriteFile, os.Create or a truncating OpenFile of a path the package also reads
  rename-nosync: a file created and written in a function, renamed there, and never synced
  sync-after-rename: the same, synced only after the rename
  rename-nodirsync: such a rename with no sync of its directory after it
  sync-retried: a failed Sync of a file retried in a loop or right after it failed`

func run(pass *analysis.Pass) (any, error) {
	var reads []ast.Expr // every name the package reads a file by
	var funcs []*ast.FuncDecl
	for _, f := range pass.Files {
		if isTestFile(pass, f) {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			funcs = append(funcs, fd)
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					if p, ok := readTarget(pass.TypesInfo, call); ok {
						reads = append(reads, p)
					}
				}
				return true
			})
		}
	}
	for _, fd := range funcs {
		fn := newFunc(pass, fd)
		fn.checkSaves()
		fn.checkInPlace(reads)
		fn.checkRetriedSync()
	}
	return nil, nil
}

func isTestFile(pass *analysis.Pass, f *ast.File) bool {
	return strings.HasSuffix(pass.Fset.File(f.Pos()).Name(), "_test.go")
}

// function is one function declaration being checked, with what the
// rules need to know about it: every node's parent, and the file values
// it creates. A function literal inside it is part of it: a Sync in a
// deferred closure counts.
type function struct {
	pass   *analysis.Pass
	decl   *ast.FuncDecl
	file   *ast.File
	parent map[ast.Node]ast.Node
	calls  []*ast.CallExpr
	fvs    []*fileVar // set by checkSaves
}

func newFunc(pass *analysis.Pass, fd *ast.FuncDecl) *function {
	fn := &function{pass: pass, decl: fd, parent: map[ast.Node]ast.Node{}}
	for _, f := range pass.Files {
		if f.Pos() <= fd.Pos() && fd.End() <= f.End() {
			fn.file = f
		}
	}
	var stack []ast.Node
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if len(stack) > 0 {
			fn.parent[n] = stack[len(stack)-1]
		}
		stack = append(stack, n)
		if call, ok := n.(*ast.CallExpr); ok {
			fn.calls = append(fn.calls, call)
		}
		return true
	})
	return fn
}

func (fn *function) info() *types.Info { return fn.pass.TypesInfo }

// enclosingLoop returns the innermost for or range statement around n in
// the function, stopping at a function literal, or nil.
func (fn *function) enclosingLoop(n ast.Node) ast.Stmt {
	for p := fn.parent[n]; p != nil; p = fn.parent[p] {
		switch p := p.(type) {
		case *ast.ForStmt:
			return p
		case *ast.RangeStmt:
			return p
		case *ast.FuncLit:
			return nil
		}
	}
	return nil
}

// deferred reports whether n runs in a defer statement or in a function
// literal (whose call time the rules do not know).
func (fn *function) deferred(n ast.Node) bool {
	for p := fn.parent[n]; p != nil; p = fn.parent[p] {
		switch p.(type) {
		case *ast.DeferStmt, *ast.FuncLit, *ast.GoStmt:
			return true
		}
	}
	return false
}

func within(n ast.Node, outer ast.Node) bool {
	return outer != nil && outer.Pos() <= n.Pos() && n.End() <= outer.End()
}

// receiverVar returns the variable a method call is made on (f in
// f.Sync()), or nil.
func (fn *function) receiverVar(call *ast.CallExpr) *types.Var {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok {
		return nil
	}
	v, _ := fn.info().ObjectOf(id).(*types.Var)
	return v
}

// syncOf returns the file variable a call syncs, if it is f.Sync(),
// f.Datasync() or faultfs.Datasync(f).
func (fn *function) syncOf(call *ast.CallExpr) *types.Var {
	callee := calleeOf(fn.info(), call)
	if isMethod(callee, "Sync") || isMethod(callee, "Datasync") {
		return fn.receiverVar(call)
	}
	if isFunc(callee, faultfsPath, "Datasync") && len(call.Args) == 1 {
		if id, ok := ast.Unparen(call.Args[0]).(*ast.Ident); ok {
			v, _ := fn.info().ObjectOf(id).(*types.Var)
			return v
		}
	}
	return nil
}

func (fn *function) pos(n ast.Node) token.Position { return fn.pass.Fset.Position(n.Pos()) }
