package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"golang.org/x/tools/go/analysis"
)

const writerPath = "github.com/crashcheck/crashcheck/writer"

// checkInPlace reports the in-place rule: a call that rewrites a file by
// name (os.WriteFile, faultfs.WriteFile) or creates it with truncation
// (os.Create, OpenFile with O_TRUNC, an FS's Create) at a path the
// package also reads a file by ([samePath]), unless the created file is
// renamed in the function (a temporary file, not the target).
func (fn *function) checkInPlace(reads []ast.Expr) {
	info := fn.info()
	created := map[*ast.CallExpr]*fileVar{}
	for _, fv := range fn.fvs {
		created[fv.call] = fv
	}
	for _, call := range fn.calls {
		target, what, ok := writeFileTarget(info, call)
		if !ok {
			cc, isCreate := asCreate(info, call)
			if !isCreate || !cc.trunc || cc.path == nil {
				continue
			}
			if fv := created[call]; fv != nil && fv.renamed {
				continue
			}
			target, what = cc.path, types.ExprString(call.Fun)
		}
		if !persistentPath(info, target) {
			continue
		}
		read := false
		for _, r := range reads {
			if samePath(info, target, r) {
				read = true
				break
			}
		}
		if !read {
			continue
		}
		d := diag(call, "in-place",
			"%s truncates and rewrites %s in place, and the package reads it back: a crash in between leaves it empty or partial; write a temporary file, sync it, rename it over %s and sync the directory: use github.com/crashcheck/crashcheck/writer.WriteFile",
			what, types.ExprString(target), types.ExprString(target))
		if what == "os.WriteFile" {
			if fix, ok := fn.writerFix(call); ok {
				d.SuggestedFixes = []analysis.SuggestedFix{fix}
			}
		}
		fn.pass.Report(d)
	}
}

// writerFix replaces os.WriteFile with writer.WriteFile, which takes the
// same arguments, adding the import if the file lacks it. It is offered
// only where it compiles: the file uses os elsewhere too (so the os
// import stays used), and the name writer is free or already the writer
// package.
func (fn *function) writerFix(call *ast.CallExpr) (analysis.SuggestedFix, bool) {
	info := fn.info()
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || fn.file == nil {
		return analysis.SuggestedFix{}, false
	}
	osName := info.Uses[sel.X.(*ast.Ident)].(*types.PkgName)
	osUses := 0
	ast.Inspect(fn.file, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && info.Uses[id] == osName {
			osUses++
		}
		return true
	})
	if osUses < 2 {
		return analysis.SuggestedFix{}, false
	}
	name := ""
	for _, imp := range fn.file.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == writerPath {
			if imp.Name != nil {
				name = imp.Name.Name
			} else {
				name = "writer"
			}
		}
	}
	edits := []analysis.TextEdit{}
	if name == "" {
		name = "writer"
		scope := info.Scopes[fn.file]
		if _, obj := scope.LookupParent(name, call.Pos()); obj != nil {
			return analysis.SuggestedFix{}, false // the name is taken
		}
		edits = append(edits, fn.addImport(writerPath))
	} else if name == "_" || name == "." {
		return analysis.SuggestedFix{}, false
	}
	edits = append(edits, analysis.TextEdit{Pos: sel.Pos(), End: sel.End(), NewText: []byte(name + ".WriteFile")})
	return analysis.SuggestedFix{
		Message:   "Replace os.WriteFile with writer.WriteFile (temporary file, fsync, rename, directory fsync)",
		TextEdits: edits,
	}, true
}

// addImport returns the edit that imports path into fn's file: into the
// last parenthesised import declaration, else as a declaration of its
// own after the package clause.
func (fn *function) addImport(path string) analysis.TextEdit {
	var last *ast.GenDecl
	for _, d := range fn.file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			last = g
		}
	}
	if last != nil && last.Rparen.IsValid() {
		return analysis.TextEdit{Pos: last.Rparen, End: last.Rparen, NewText: []byte("\t" + strconv.Quote(path) + "\n")}
	}
	if last != nil {
		return analysis.TextEdit{Pos: last.End(), End: last.End(), NewText: []byte("\nimport " + strconv.Quote(path))}
	}
	end := fn.file.Name.End()
	return analysis.TextEdit{Pos: end, End: end, NewText: []byte("\n\nimport " + strconv.Quote(path))}
}
