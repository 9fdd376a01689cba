package suite

import (
	"github.com/crashcheck/crashcheck/scenarios"
	"testing"

	"pgregory.net/rapid"
)

// FuzzWriteFile drives writer.WriteFile through the whole suite (every
// model, crash point and injected fault) with inputs decoded from the
// fuzzer's bytes. go test replays the seeds in testdata/fuzz/FuzzWriteFile;
// go test -fuzz=FuzzWriteFile searches further.
func FuzzWriteFile(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		c := drawWriterCase(t, MaxFuzzContent)
		c.Stream = false
		scenarios.CheckT(t, c.Spec())
	}))
}
