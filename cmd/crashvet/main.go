// Command crashvet reports file-saving code that a crash can leave empty,
// torn or lost: see package [github.com/crashcheck/crashcheck/cmd/crashvet/analyzer]
// for the rules, what each reports and what it does not.
//
// Run it on packages as a command of its own:
//
//	crashvet ./...
//	crashvet -fix ./...        # apply the suggested fixes
//
// or under go vet:
//
//	go vet -vettool=$(which crashvet) ./...
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/crashcheck/crashcheck/cmd/crashvet/analyzer"
)

func main() { singlechecker.Main(analyzer.Analyzer) }
