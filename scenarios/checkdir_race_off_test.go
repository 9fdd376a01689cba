//go:build !race

package scenarios

// raceDetector is set when the tests run under the race detector, which
// makes each mount of CheckDir ten times slower.
const raceDetector = false
