package analyzer

import (
	"go/ast"
	"go/types"
)

// fileVar is a variable that holds a file the function creates for
// writing, with what the function does with it.
type fileVar struct {
	v       *types.Var
	call    *ast.CallExpr // the create call
	create  createCall
	writes  int
	syncs   []*ast.CallExpr
	escapes bool                // used in a way the rules cannot follow
	names   map[*types.Var]bool // variables set to v.Name()
	renamed bool
}

// fileVars finds the files the function creates into a variable and
// classifies every use of that variable. A use the rules cannot follow
// (the file passed to a function that could sync it, stored, returned,
// reassigned, its Fd taken) makes it escape: no rule reports on it.
func (fn *function) fileVars() []*fileVar {
	info := fn.info()
	byVar := map[*types.Var]*fileVar{}
	var out []*fileVar
	createLHS := map[*ast.Ident]bool{}
	ast.Inspect(fn.decl.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || len(as.Lhs) != 2 {
			return true
		}
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok {
			return true
		}
		cc, ok := asCreate(info, call)
		if !ok {
			return true
		}
		id, ok := as.Lhs[0].(*ast.Ident)
		if !ok {
			return true
		}
		v, _ := info.ObjectOf(id).(*types.Var)
		if v == nil {
			return true
		}
		createLHS[id] = true
		if fv := byVar[v]; fv != nil {
			fv.escapes = true // created twice: which file is which is not followed
			return true
		}
		fv := &fileVar{v: v, call: call, create: cc, names: map[*types.Var]bool{}}
		byVar[v] = fv
		out = append(out, fv)
		return true
	})
	if len(out) == 0 {
		return nil
	}
	ast.Inspect(fn.decl.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || createLHS[id] {
			return true
		}
		v, _ := info.Uses[id].(*types.Var)
		fv := byVar[v]
		if fv == nil {
			return true
		}
		fn.classifyUse(fv, id)
		return true
	})
	return out
}

func (fn *function) classifyUse(fv *fileVar, id *ast.Ident) {
	info := fn.info()
	switch p := fn.parent[id].(type) {
	case *ast.SelectorExpr:
		call, ok := fn.parent[p].(*ast.CallExpr)
		if !ok || call.Fun != p {
			fv.escapes = true // a method value: f.Write passed on
			return
		}
		switch p.Sel.Name {
		case "Sync", "Datasync":
			fv.syncs = append(fv.syncs, call)
		case "Write", "WriteString", "WriteAt", "ReadFrom":
			fv.writes++
		case "Fd", "SyscallConn":
			fv.escapes = true
		case "Name":
			if as, ok := fn.parent[call].(*ast.AssignStmt); ok && len(as.Lhs) == 1 {
				if lid, ok := as.Lhs[0].(*ast.Ident); ok {
					if nv, ok := info.ObjectOf(lid).(*types.Var); ok {
						fv.names[nv] = true
					}
				}
			}
		}
	case *ast.CallExpr:
		if ast.Unparen(p.Fun) == id {
			fv.escapes = true
			return
		}
		callee := calleeOf(info, p)
		if callee == nil {
			fv.escapes = true
			return
		}
		if isSyncName(callee.Name()) {
			fv.syncs = append(fv.syncs, p)
			return
		}
		pt := paramType(callee, p, id)
		iface, ok := pt.Underlying().(*types.Interface)
		switch {
		case !ok || hasSync(pt):
			fv.escapes = true
		case hasMethod(iface, "Write"):
			fv.writes++
		}
	case *ast.BinaryExpr:
		// f != nil
	case *ast.DeferStmt, *ast.ExprStmt:
	default:
		fv.escapes = true
	}
}

// paramType returns the type of the parameter that argument arg of call
// is passed to.
func paramType(callee *types.Func, call *ast.CallExpr, arg ast.Expr) types.Type {
	sig := callee.Type().(*types.Signature)
	for i, a := range call.Args {
		if ast.Unparen(a) != arg {
			continue
		}
		n := sig.Params().Len()
		if sig.Variadic() && i >= n-1 {
			if call.Ellipsis.IsValid() {
				return sig.Params().At(n - 1).Type()
			}
			return sig.Params().At(n - 1).Type().(*types.Slice).Elem()
		}
		if i < n {
			return sig.Params().At(i).Type()
		}
	}
	return types.Typ[types.Invalid]
}

func hasMethod(t *types.Interface, name string) bool {
	for i := 0; i < t.NumMethods(); i++ {
		if t.Method(i).Name() == name {
			return true
		}
	}
	return false
}

// renames returns, for each rename call of the function, the created file
// it renames, if the old name is that file's: its Name(), a variable set
// to its Name(), or the same path expression it was created at
// ([samePath]).
func (fn *function) linkRename(fvs []*fileVar, old ast.Expr, at *ast.CallExpr) *fileVar {
	info := fn.info()
	old = ast.Unparen(old)
	for _, fv := range fvs {
		if at.Pos() < fv.call.End() {
			continue
		}
		if call, ok := old.(*ast.CallExpr); ok && isMethod(calleeOf(info, call), "Name") && fn.receiverVar(call) == fv.v {
			return fv
		}
		if id, ok := old.(*ast.Ident); ok {
			if v, ok := info.ObjectOf(id).(*types.Var); ok && fv.names[v] {
				return fv
			}
		}
		if fv.create.path != nil && samePath(info, fv.create.path, old) {
			return fv
		}
	}
	return nil
}

// checkSaves reports the rename-nosync, sync-after-rename and
// rename-nodirsync rules on the save pattern: a file created and written
// in the function, then renamed by the function.
func (fn *function) checkSaves() {
	fvs := fn.fileVars()
	fn.fvs = fvs
	if len(fvs) == 0 {
		return
	}
	for _, call := range fn.calls {
		old, ok := renameOld(fn.info(), call)
		if !ok || fn.deferred(call) {
			continue
		}
		fv := fn.linkRename(fvs, old, call)
		if fv == nil {
			continue
		}
		fv.renamed = true
		if fv.escapes || fv.writes == 0 {
			continue
		}
		newName := types.ExprString(call.Args[len(call.Args)-1])
		fvName := fv.v.Name()
		switch {
		case len(fv.syncs) == 0:
			fn.pass.Report(diag(call, "rename-nosync",
				"%s is renamed into place but the file written through %s is never synced: after a power loss %s can be empty or partial; call %s.Sync() and check its error before %s.Close() and the rename, or use github.com/crashcheck/crashcheck/writer.WriteFile",
				types.ExprString(old), fvName, newName, fvName, fvName))
		case fn.syncedOnlyAfter(fv, call):
			fn.pass.Report(diag(call, "sync-after-rename",
				"%s is renamed into place before %s.Sync(): a power loss between the two leaves %s empty or partial; sync the file before the rename, or use github.com/crashcheck/crashcheck/writer.WriteFile",
				types.ExprString(old), fvName, newName))
		}
		if !fn.dirSyncedAfter(fv, call) {
			fn.pass.Report(diag(call, "rename-nodirsync",
				"the rename to %s is not followed by a sync of its directory: after a power loss the old content can come back; open filepath.Dir(%s) and Sync it after the rename (faultfs.SyncDir over an FS), or use github.com/crashcheck/crashcheck/writer.WriteFile",
				newName, newName))
		}
	}
}

// syncedOnlyAfter reports whether every sync of fv comes after the rename:
// later in the source, or deferred, with neither in a loop.
func (fn *function) syncedOnlyAfter(fv *fileVar, rename *ast.CallExpr) bool {
	if fn.enclosingLoop(rename) != nil {
		return false
	}
	for _, s := range fv.syncs {
		if fn.enclosingLoop(s) != nil || !(s.Pos() > rename.End() || fn.deferred(s)) {
			return false
		}
	}
	return true
}

// dirSyncedAfter reports whether something after the rename may sync its
// directory: a call whose name says sync (other than of the renamed file
// itself), a call of a function of this package or of a func value (which
// the rule does not look into), after the rename in the source or
// deferred.
func (fn *function) dirSyncedAfter(fv *fileVar, rename *ast.CallExpr) bool {
	for _, c := range fn.calls {
		if c == rename || within(c, rename) || !(c.Pos() > rename.End() || fn.deferred(c)) {
			continue
		}
		callee := calleeOf(fn.info(), c)
		switch {
		case callee == nil:
			if _, conv := fn.info().Types[c.Fun]; conv && fn.info().Types[c.Fun].IsType() {
				continue
			}
			if _, builtin := fn.info().Uses[identOf(c.Fun)].(*types.Builtin); builtin {
				continue
			}
			return true
		case isSyncName(callee.Name()) && fn.syncOf(c) != fv.v:
			return true
		case callee.Pkg() == fn.pass.Pkg:
			return true
		}
	}
	return false
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}
