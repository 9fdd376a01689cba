package analyzer

import (
	"fmt"
	"go/ast"

	"golang.org/x/tools/go/analysis"
)

// diag makes a diagnostic of one rule at n; the message is prefixed with
// the rule's name so a reader can look it up in the package doc.
func diag(n ast.Node, rule, format string, args ...any) analysis.Diagnostic {
	return analysis.Diagnostic{
		Pos:      n.Pos(),
		End:      n.End(),
		Category: rule,
		Message:  rule + ": " + fmt.Sprintf(format, args...),
	}
}
