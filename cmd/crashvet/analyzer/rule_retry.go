package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
)

const retryFix = "a failed fsync must not be retried: Linux may already have dropped the data it could not write and cleared the error, so a retry that succeeds proves nothing (fsyncgate); return the error, and if the write must be tried again, write the data again from its source into a new file (retrying on EINTR alone is fine)"

// checkRetriedSync reports the sync-retried rule: a Sync of a file that
// runs again, on the same file, after it failed. Two shapes:
//
//   - in a loop around the Sync, declared outside it, the file is only
//     synced (not written, not reassigned), and the loop ends when the
//     Sync succeeds: an `if ...; err == nil {break/return}` on its error,
//     or a loop condition `err != nil` on it;
//   - an if statement on a failed Sync (`if err := f.Sync(); err != nil`,
//     or err set by a Sync just before it) whose body syncs the same file
//     again.
//
// Neither is reported when the loop or if statement names EINTR or
// EAGAIN: retrying a Sync that was interrupted before it did anything is
// correct.
func (fn *function) checkRetriedSync() {
	for _, c := range fn.calls {
		v := fn.syncOf(c)
		if v == nil {
			continue
		}
		if loop := fn.enclosingLoop(c); loop != nil && fn.isRetryLoop(loop, c, v) {
			fn.pass.Report(diag(c, "sync-retried", "%s.Sync is retried in a loop: %s", v.Name(), retryFix))
		}
	}
	ast.Inspect(fn.decl.Body, func(n ast.Node) bool {
		if ifs, ok := n.(*ast.IfStmt); ok {
			fn.checkSyncIf(ifs)
		}
		return true
	})
}

// syncResult returns the variable the result of sync call c is assigned
// to, if c is the whole right-hand side of an assignment to one variable.
func (fn *function) syncResult(c *ast.CallExpr) *types.Var {
	as, ok := fn.parent[c].(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return nil
	}
	id, ok := as.Lhs[0].(*ast.Ident)
	if !ok {
		return nil
	}
	v, _ := fn.info().ObjectOf(id).(*types.Var)
	return v
}

func (fn *function) isRetryLoop(loop ast.Stmt, c *ast.CallExpr, file *types.Var) bool {
	if within(nodeOf(file), loop) || mentionsRetryErrno(loop) {
		return false
	}
	info := fn.info()
	onlySynced := true
	ast.Inspect(loop, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || info.ObjectOf(id) != file {
			return true
		}
		sel, ok := fn.parent[id].(*ast.SelectorExpr)
		if !ok || (sel.Sel.Name != "Sync" && sel.Sel.Name != "Datasync") {
			if call, ok := fn.parent[id].(*ast.CallExpr); !ok || fn.syncOf(call) != file {
				onlySynced = false
			}
		}
		return true
	})
	if !onlySynced {
		return false
	}
	errVar := fn.syncResult(c)
	if f, ok := loop.(*ast.ForStmt); ok && f.Cond != nil && nilCompare(info, f.Cond, token.NEQ, c, errVar) {
		return true
	}
	exits := false
	ast.Inspect(loop, func(n ast.Node) bool {
		ifs, ok := n.(*ast.IfStmt)
		if !ok || !nilCompare(info, ifs.Cond, token.EQL, c, errVar) {
			return true
		}
		ast.Inspect(ifs.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BranchStmt:
				exits = exits || n.Tok == token.BREAK
			case *ast.ReturnStmt:
				exits = true
			}
			return true
		})
		return true
	})
	return exits
}

func nodeOf(v *types.Var) ast.Node { return posNode(v.Pos()) }

type posNode token.Pos

func (p posNode) Pos() token.Pos { return token.Pos(p) }
func (p posNode) End() token.Pos { return token.Pos(p) }

// nilCompare reports whether cond contains `x op nil` where x is the call
// c itself or the variable errVar.
func nilCompare(info *types.Info, cond ast.Expr, op token.Token, c *ast.CallExpr, errVar *types.Var) bool {
	found := false
	ast.Inspect(cond, func(n ast.Node) bool {
		b, ok := n.(*ast.BinaryExpr)
		if !ok || b.Op != op {
			return true
		}
		for _, pair := range [][2]ast.Expr{{b.X, b.Y}, {b.Y, b.X}} {
			if !isNil(info, pair[1]) {
				continue
			}
			x := ast.Unparen(pair[0])
			if x == c {
				found = true
			}
			if id, ok := x.(*ast.Ident); ok && errVar != nil && info.ObjectOf(id) == errVar {
				found = true
			}
		}
		return true
	})
	return found
}

func isNil(info *types.Info, e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	_, isNil := info.ObjectOf(id).(*types.Nil)
	return ok && isNil
}

// checkSyncIf reports a Sync in the body of an if statement taken when a
// Sync of the same file failed.
func (fn *function) checkSyncIf(ifs *ast.IfStmt) {
	info := fn.info()
	if mentionsRetryErrno(ifs) {
		return
	}
	var first *ast.CallExpr
	var errVar *types.Var
	find := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok && first == nil && fn.syncOf(c) != nil {
				first = c
				errVar = fn.syncResult(c)
			}
			return first == nil
		})
	}
	if ifs.Init != nil {
		find(ifs.Init)
	}
	if first == nil {
		find(ifs.Cond)
	}
	if first == nil {
		if prev := fn.prevStmt(ifs); prev != nil {
			if _, ok := prev.(*ast.AssignStmt); ok {
				find(prev)
			}
		}
	}
	if first == nil || !nilCompare(info, ifs.Cond, token.NEQ, first, errVar) {
		return
	}
	file := fn.syncOf(first)
	ast.Inspect(ifs.Body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && fn.syncOf(c) == file {
			fn.pass.Report(diag(c, "sync-retried", "%s.Sync is called again after it failed: %s", file.Name(), retryFix))
		}
		return true
	})
}

// prevStmt returns the statement just before s in its block, or nil.
func (fn *function) prevStmt(s ast.Stmt) ast.Stmt {
	b, ok := fn.parent[s].(*ast.BlockStmt)
	if !ok {
		return nil
	}
	for i, x := range b.List {
		if x == s && i > 0 {
			return b.List[i-1]
		}
	}
	return nil
}
