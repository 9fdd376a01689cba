//go:build linux

package cli

import (
	"runtime"
	"testing"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios/suite"
)

// BenchmarkCampaign runs b.N cases of the writer's suite, as crashcheck
// torture does (one rapid.Check per case, GOMAXPROCS workers), and reports
// crash states checked per second: the harness's headline figure.
//
//	go test -run '^$' -bench Campaign -benchtime 200x ./cmd/crashcheck/cli
func BenchmarkCampaign(b *testing.B) {
	for _, model := range []string{"all", "process", "posix", "ext4-ordered"} {
		b.Run("model="+model, func(b *testing.B) {
			filter, err := parseModels(model)
			if err != nil {
				b.Fatal(err)
			}
			benchCampaign(b, suite.Select("writer"), filter)
		})
	}
}

func benchCampaign(b *testing.B, sel []suite.Scenario, filter []faultfs.Model) {
	c := &campaign{scenarios: sel, filter: filter, seed: 1, runs: b.N, shards: 1, workers: runtime.GOMAXPROCS(0)}
	b.ResetTimer()
	res := c.run()
	b.StopTimer()
	if n := len(res.failures()); n > 0 {
		b.Fatalf("%d failing cases", n)
	}
	b.ReportMetric(float64(res.states)/b.Elapsed().Seconds(), "states/s")
	b.ReportMetric(float64(res.states)/float64(b.N), "states/case")
}
