package inplace

import "os"

const logPath = "out.log"

// WriteOnly writes a file nothing in the package reads: an output.
func WriteOnly(b []byte) error { return os.WriteFile(logPath, b, 0o644) }

// ReadModifyWrite is in place, but the path is a parameter: the rule
// cannot tell what it names (a /proc file, a fresh output), so it keeps
// quiet.
func ReadModifyWrite(p string) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	return os.WriteFile(p, append(b, '\n'), 0o644)
}

// Sysctl rewrites a /proc file, which can only be written in place.
func Sysctl() error {
	if _, err := os.ReadFile("/proc/sys/vm/dirty_ratio"); err != nil {
		return err
	}
	return os.WriteFile("/proc/sys/vm/dirty_ratio", []byte("10"), 0o644)
}

// AppendOnly opens without truncating: not this rule.
func AppendOnly(b []byte) error {
	f, err := os.OpenFile(statePath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(b)
	return err
}
