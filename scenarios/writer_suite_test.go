package scenarios

import (
	"testing"

	"pgregory.net/rapid"
)

// TestWriterSuite checks our writer against every model, fault and crash
// point, on drawn inputs. Raise -rapid.checks for a longer campaign.
func TestWriterSuite(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		CheckT(t, DrawWriterCase(t).Spec())
	})
}
