package analyzer

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"
)

// samePath reports whether two name expressions denote the same path
// whenever both are evaluated, by a conservative syntactic rule: equal
// string constants; the same variable (a local, a parameter or a package
// variable); the same field of values of the same type (s.path in one
// method, s.path in another); and, built from those, the same binary
// expression (name + ".tmp"), or the same call of a function of path,
// path/filepath, strings or fmt on them (filepath.Join(dir, "a.json")).
// Anything else, another call above all, is never the same.
func samePath(info *types.Info, x, y ast.Expr) bool {
	x, y = ast.Unparen(x), ast.Unparen(y)
	if tx, ty := info.Types[x], info.Types[y]; tx.Value != nil || ty.Value != nil {
		return tx.Value != nil && ty.Value != nil && constant.Compare(tx.Value, token.EQL, ty.Value)
	}
	switch x := x.(type) {
	case *ast.Ident:
		y, ok := y.(*ast.Ident)
		if !ok {
			return false
		}
		ox, oy := info.ObjectOf(x), info.ObjectOf(y)
		_, isVar := ox.(*types.Var)
		return isVar && ox == oy
	case *ast.SelectorExpr:
		y, ok := y.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		ox, oy := info.ObjectOf(x.Sel), info.ObjectOf(y.Sel)
		v, isVar := ox.(*types.Var)
		if !isVar || ox != oy {
			return false
		}
		if !v.IsField() {
			return true // a package's variable: pkg.Name
		}
		return types.Identical(info.TypeOf(x.X), info.TypeOf(y.X))
	case *ast.BinaryExpr:
		y, ok := y.(*ast.BinaryExpr)
		return ok && x.Op == y.Op && samePath(info, x.X, y.X) && samePath(info, x.Y, y.Y)
	case *ast.CallExpr:
		y, ok := y.(*ast.CallExpr)
		if !ok || len(x.Args) != len(y.Args) || x.Ellipsis.IsValid() || y.Ellipsis.IsValid() {
			return false
		}
		fx, fy := calleeOf(info, x), calleeOf(info, y)
		if fx == nil || fx != fy || fx.Pkg() == nil {
			return false
		}
		switch fx.Pkg().Path() {
		case "path", "path/filepath", "strings", "fmt":
		default:
			return false
		}
		if sig := fx.Type().(*types.Signature); sig.Recv() != nil {
			return false
		}
		for i := range x.Args {
			if !samePath(info, x.Args[i], y.Args[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// persistentPath reports whether a name expression is one the in-place
// rule trusts to name the same file from one run to the next: built only
// from string constants, package-level variables and fields (s.path),
// not from local variables or parameters (the rule cannot tell which file
// a parameter names, nor /proc and /sys, where rewriting in place is the
// only way to write).
func persistentPath(info *types.Info, e ast.Expr) bool {
	if tv := info.Types[e]; tv.Value != nil {
		if tv.Value.Kind() != constant.String {
			return false
		}
		s := constant.StringVal(tv.Value)
		for _, p := range []string{"/proc/", "/sys/", "/dev/"} {
			if strings.HasPrefix(s, p) {
				return false
			}
		}
		return true
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, ok := info.ObjectOf(e).(*types.Var)
		return ok && v.Parent() == v.Pkg().Scope()
	case *ast.SelectorExpr:
		v, ok := info.ObjectOf(e.Sel).(*types.Var)
		return ok && (v.IsField() || v.Parent() == v.Pkg().Scope())
	case *ast.BinaryExpr:
		return persistentPath(info, e.X) && persistentPath(info, e.Y)
	case *ast.CallExpr:
		for _, a := range e.Args {
			if !persistentPath(info, a) {
				return false
			}
		}
		return len(e.Args) > 0
	}
	return false
}
