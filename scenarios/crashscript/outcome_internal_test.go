package crashscript

import "testing"

// TestOutcome is the rule of the command's exit statuses: 0 passes, 1
// passes under !, 2 (could not test) and anything else never passes.
func TestOutcome(t *testing.T) {
	tests := []struct {
		code   int
		neg    bool
		passes bool
	}{
		{0, false, true},
		{0, true, false},
		{1, false, false},
		{1, true, true},
		{2, false, false},
		{2, true, false},
		{3, false, false},
		{3, true, false},
		{-1, true, false},
	}
	for _, tt := range tests {
		if err := outcome(tt.code, tt.neg); (err == nil) != tt.passes {
			t.Errorf("outcome(%d, neg=%v) = %v; want passes=%v", tt.code, tt.neg, err, tt.passes)
		}
	}
}
