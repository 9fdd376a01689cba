package suite

import (
	"github.com/crashcheck/crashcheck/scenarios"
	"testing"

	"github.com/crashcheck/crashcheck/writer"
)

// BenchmarkWriterSuite measures how many crash states the harness checks
// per second on one fixed case of the writer's suite: WriteFile replacing
// an existing file at the Durable level, under every model, with every
// fault. The states of the error runs count too; each is checked against
// every invariant of the case. The crashes-only variants leave the error
// runs out (Spec.NoErrors): the states of the one recorded run, without
// the cost of re-running the workload.
//
//	go test -run '^$' -bench WriterSuite ./scenarios/suite
func BenchmarkWriterSuite(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
	}{
		{"4KiB", 4 << 10},
		{"1MiB", 1 << 20},
	} {
		c := WriterCase{
			Old: fill(bc.size, 1, 'O'), OldMode: 0o644,
			New: fill(bc.size, 2, 'N'), Perm: 0o644,
			Durability: writer.Durable,
		}
		full := c.Spec()
		crashes := full
		crashes.NoErrors = true
		for _, v := range []struct {
			name string
			spec scenarios.Spec
		}{{bc.name, full}, {bc.name + "/crashes-only", crashes}} {
			b.Run(v.name, func(b *testing.B) { benchVerify(b, v.spec) })
		}
	}
}

// benchVerify verifies spec b.N times and reports the crash states
// checked per second and per run.
func benchVerify(b *testing.B, spec scenarios.Spec) {
	states := 0
	for b.Loop() {
		rep, err := scenarios.Verify(spec)
		if err != nil {
			b.Fatal(err)
		}
		if !rep.OK() {
			b.Fatalf("%s", rep)
		}
		states += rep.States
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
	b.ReportMetric(float64(states)/float64(b.N), "states/op")
}
