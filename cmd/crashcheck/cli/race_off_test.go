//go:build linux && !race

package cli

// raceDetector is set when the tests run under the race detector: scripts
// that drive a whole database server skip then, and ci.sh runs them on
// their own without it.
const raceDetector = false
