package analyzer_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/crashcheck/crashcheck/cmd/crashvet/analyzer"
)

// TestRules checks each rule on its own package of testdata: every
// diagnostic is expected by a want comment on its line (a true positive),
// and the functions without one (fine.go and the like) report nothing.
func TestRules(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), analyzer.Analyzer, "save", "inplace", "retry")
}

// TestWriterFix checks the one mechanical fix: os.WriteFile becomes
// writer.WriteFile, with the import added (testdata/src/inplace/*.golden).
func TestWriterFix(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), analyzer.Analyzer, "inplace")
}
