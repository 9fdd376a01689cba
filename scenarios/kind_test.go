package scenarios

import (
	"encoding/json"
	"testing"
)

// TestKindJSON: a Kind's JSON form reads back as the same Kind, and an
// unknown one is an error, so that a report's JSON decodes into ReportJSON.
func TestKindJSON(t *testing.T) {
	for _, k := range []Kind{AfterCrash, AfterError, AfterSuccess} {
		b, err := json.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		var got Kind
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if got != k {
			t.Errorf("%s read back as %v, want %v", b, got, k)
		}
	}
	var k Kind
	if err := json.Unmarshal([]byte(`"reboot"`), &k); err == nil {
		t.Errorf(`"reboot" read as %v, want an error`, k)
	}
}
