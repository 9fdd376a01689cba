//go:build linux

package crashscript

// SetCanRun makes [crashcheck] answer by f until restore is called.
func SetCanRun(f func() error) (restore func()) {
	old := canRun
	canRun = f
	return func() { canRun = old }
}
