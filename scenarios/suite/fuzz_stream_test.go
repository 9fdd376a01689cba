package suite

import (
	"github.com/crashcheck/crashcheck/scenarios"
	"testing"

	"pgregory.net/rapid"
)

// FuzzStream drives writer.Create, File.Write in chunks and File.Commit
// through the whole suite with inputs decoded from the fuzzer's bytes. go
// test replays the seeds in testdata/fuzz/FuzzStream; go test
// -fuzz=FuzzStream searches further.
func FuzzStream(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		c := drawWriterCase(t, MaxFuzzContent)
		c.Stream = true
		scenarios.CheckT(t, c.Spec())
	}))
}
