package suite

import (
	"flag"
	"github.com/crashcheck/crashcheck/scenarios"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateReports = flag.Bool("report.update", false, "rewrite testdata/report/*.golden")

// reportCase is the small, readable input the golden reports use.
var reportCase = ZooCase{Old: []byte("old\n"), OldMode: 0o644, New: []byte("new content\n")}

// TestReportGolden pins what a person reads when a broken writer is caught:
// one golden report per zoo entry, on a four-byte old file and a
// twelve-byte new one (run with -report.update to rewrite them).
func TestReportGolden(t *testing.T) {
	for _, s := range Select("zoo/") {
		name := strings.TrimPrefix(s.Name, "zoo/")
		t.Run(name, func(t *testing.T) {
			rep, err := scenarios.Verify(zoo[name].spec(reportCase))
			if err != nil {
				t.Fatal(err)
			}
			got := rep.String()
			path := filepath.Join("testdata", "report", name+".golden")
			if *updateReports {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -report.update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("report for %s changed (run with -report.update if intended):\n--- got\n%s\n--- want\n%s", s.Name, got, want)
			}
		})
	}
}
