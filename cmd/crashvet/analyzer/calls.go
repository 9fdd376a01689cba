package analyzer

import (
	"go/ast"
	"go/constant"
	"go/types"
	"os"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

const faultfsPath = "github.com/crashcheck/crashcheck/faultfs"

// calleeOf returns the function or method a call calls, interface methods
// included, or nil for a call of a func value or a conversion.
func calleeOf(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	return fn
}

// isFunc reports whether fn is the package-level function pkg.name.
func isFunc(fn *types.Func, pkg string, names ...string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != pkg {
		return false
	}
	if sig, _ := fn.Type().(*types.Signature); sig == nil || sig.Recv() != nil {
		return false
	}
	for _, n := range names {
		if fn.Name() == n {
			return true
		}
	}
	return false
}

// isMethod reports whether fn is a method (of any type) named name.
func isMethod(fn *types.Func, name string) bool {
	if fn == nil || fn.Name() != name {
		return false
	}
	sig, _ := fn.Type().(*types.Signature)
	return sig != nil && sig.Recv() != nil
}

// hasSync reports whether t has a method Sync() error: *os.File,
// faultfs.File and their kin.
func hasSync(t types.Type) bool {
	if t == nil {
		return false
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "Sync")
	fn, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	sig := fn.Type().(*types.Signature)
	return sig.Params().Len() == 0 && sig.Results().Len() == 1 && isError(sig.Results().At(0).Type())
}

func isError(t types.Type) bool { return types.Identical(t, types.Universe.Lookup("error").Type()) }

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.String
}

// returnsFile reports whether fn returns (F, error) with F a file (hasSync).
func returnsFile(fn *types.Func) bool {
	sig := fn.Type().(*types.Signature)
	return sig.Results().Len() == 2 && hasSync(sig.Results().At(0).Type()) && isError(sig.Results().At(1).Type())
}

// constFlag returns the value of a constant int expression and whether it
// is one.
func constFlag(info *types.Info, e ast.Expr) (int64, bool) {
	tv, ok := info.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.Int {
		return 0, false
	}
	return constant.Int64Val(tv.Value)
}

// createCall describes a call that creates or truncates a file for
// writing and returns it: os.Create, os.OpenFile with O_CREATE or O_TRUNC
// (a constant flag), os.CreateTemp, faultfs.CreateTemp, and the Create and
// OpenFile methods of any type that return a file. path is the name
// argument, nil for the CreateTemps (whose name is known only through the
// file's Name method). trunc reports whether an existing file's content is
// dropped (Create, O_TRUNC).
type createCall struct {
	path  ast.Expr
	trunc bool
}

func asCreate(info *types.Info, call *ast.CallExpr) (createCall, bool) {
	fn := calleeOf(info, call)
	if fn == nil {
		return createCall{}, false
	}
	switch {
	case isFunc(fn, "os", "Create") && len(call.Args) == 1:
		return createCall{path: call.Args[0], trunc: true}, true
	case isFunc(fn, "os", "CreateTemp"), isFunc(fn, faultfsPath, "CreateTemp"):
		return createCall{}, true
	case isFunc(fn, "os", "OpenFile") && len(call.Args) == 3:
		return openFileCreate(info, call.Args[0], call.Args[1])
	case isMethod(fn, "Create") && len(call.Args) == 1 && returnsFile(fn):
		return createCall{path: call.Args[0], trunc: true}, true
	case isMethod(fn, "OpenFile") && len(call.Args) == 3 && returnsFile(fn):
		return openFileCreate(info, call.Args[0], call.Args[1])
	}
	return createCall{}, false
}

func openFileCreate(info *types.Info, path, flag ast.Expr) (createCall, bool) {
	v, ok := constFlag(info, flag)
	if !ok || v&int64(os.O_WRONLY|os.O_RDWR) == 0 || v&int64(os.O_CREATE|os.O_TRUNC) == 0 {
		return createCall{}, false
	}
	return createCall{path: path, trunc: v&int64(os.O_TRUNC) != 0}, true
}

// writeFileTarget returns the name argument of a call that rewrites a
// whole file in place by name: os.WriteFile, faultfs.WriteFile.
func writeFileTarget(info *types.Info, call *ast.CallExpr) (ast.Expr, string, bool) {
	fn := calleeOf(info, call)
	switch {
	case isFunc(fn, "os", "WriteFile") && len(call.Args) == 3:
		return call.Args[0], "os.WriteFile", true
	case isFunc(fn, faultfsPath, "WriteFile") && len(call.Args) == 4:
		return call.Args[1], "faultfs.WriteFile", true
	}
	return nil, "", false
}

// readTarget returns the name argument of a call that reads a file by
// name: os.ReadFile, os.Open, os.OpenFile read-only, fs.ReadFile,
// faultfs.ReadFile, and the Open and ReadFile methods of any type (an FS,
// an os.Root).
func readTarget(info *types.Info, call *ast.CallExpr) (ast.Expr, bool) {
	fn := calleeOf(info, call)
	if fn == nil {
		return nil, false
	}
	switch {
	case isFunc(fn, "os", "ReadFile", "Open") && len(call.Args) == 1:
		return call.Args[0], true
	case isFunc(fn, "os", "OpenFile") && len(call.Args) == 3:
		if v, ok := constFlag(info, call.Args[1]); ok && v&int64(os.O_WRONLY|os.O_RDWR) == 0 {
			return call.Args[0], true
		}
	case isFunc(fn, "io/fs", "ReadFile") && len(call.Args) == 2,
		isFunc(fn, faultfsPath, "ReadFile") && len(call.Args) == 2:
		return call.Args[1], true
	case (isMethod(fn, "Open") || isMethod(fn, "ReadFile")) && len(call.Args) == 1 && isString(info.TypeOf(call.Args[0])):
		return call.Args[0], true
	}
	return nil, false
}

// renameOld returns the old name of a rename: os.Rename, faultfs's
// RenameNoReplace, and any method Rename(string, string) error.
func renameOld(info *types.Info, call *ast.CallExpr) (ast.Expr, bool) {
	fn := calleeOf(info, call)
	switch {
	case isFunc(fn, "os", "Rename") && len(call.Args) == 2:
		return call.Args[0], true
	case isFunc(fn, faultfsPath, "RenameNoReplace") && len(call.Args) == 3:
		return call.Args[1], true
	case isMethod(fn, "Rename") && len(call.Args) == 2 &&
		isString(info.TypeOf(call.Args[0])) && isString(info.TypeOf(call.Args[1])):
		return call.Args[0], true
	}
	return nil, false
}

// isSyncName reports whether a function's name says it syncs: Sync,
// Fsync, Datasync, SyncDir, syncParent...
func isSyncName(name string) bool { return strings.Contains(strings.ToLower(name), "sync") }

// mentionsRetryErrno reports whether n names EINTR or EAGAIN: a loop that
// retries on them only is correct.
func mentionsRetryErrno(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && (id.Name == "EINTR" || id.Name == "EAGAIN") {
			found = true
		}
		return !found
	})
	return found
}
