package scenarios_test

import (
	"fmt"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios"
)

// A user's own invariant, written as the built-ins are: after a crash,
// config.json holds its old content or its new one, and when it holds the
// new one, so does config.json.bak the old one. The Situation's views
// Before, After and Current give Versions that compare and describe
// themselves.
func ExampleVersion() {
	backupFirst := scenarios.Invariant{Name: "BackupFirst(config.json)", Check: func(s *scenarios.Situation) error {
		if s.Kind != scenarios.AfterCrash {
			return nil
		}
		got, old, new := s.Current("config.json"), s.Before("config.json"), s.After("config.json")
		if !got.SameContent(new) || got.SameContent(old) {
			return nil
		}
		if bak := s.Current("config.json.bak"); !bak.SameContent(old) {
			return fmt.Errorf("config.json holds the new content (%s) but config.json.bak holds %s, not the old (%s)", got, bak, old)
		}
		return nil
	}}
	rep, _ := scenarios.Verify(scenarios.Spec{
		Setup: settings,
		Run: func(fsys faultfs.FS) error {
			// The backup is written after the replace, and nothing is fsynced.
			if err := saveInPlace(fsys, "config.json", []byte(`{}`)); err != nil {
				return err
			}
			return saveInPlace(fsys, "config.json.bak", []byte(`{"theme": "light"}`))
		},
		Invariants: []scenarios.Invariant{backupFirst},
		Models:     []faultfs.Model{faultfs.Process},
		NoErrors:   true,
	})
	fmt.Println(rep.Violations[0].Detail)
	// Output:
	// config.json holds the new content (2 bytes "{}", mode 0644) but config.json.bak holds absent, not the old (18 bytes "{\"theme\": \"light\"}", mode 0644)
}
