package faultfs

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"pgregory.net/rapid"
)

// injRandomWorkload makes a random sequence of calls through fsys, in a
// small namespace so that they often touch the same files, and returns the
// error each call returned, in order: one call is one op.
func injRandomWorkload(t *rapid.T, fsys FS) []error {
	names := []string{"a", "b", "d/c", "d"}
	var (
		files []File
		errs  []error
	)
	name := func(label string) string { return rapid.SampledFrom(names).Draw(t, label) }
	file := func() File { return files[rapid.IntRange(0, len(files)-1).Draw(t, "file")] }
	steps := rapid.IntRange(0, 40).Draw(t, "steps")
	for range steps {
		var err error
		choice := rapid.IntRange(0, 15).Draw(t, "op")
		if choice < 8 && len(files) == 0 {
			choice = 8 // file ops need an open file: open one
		}
		switch choice {
		case 0:
			_, err = file().Write(rapid.SliceOfN(rapid.Byte(), 0, 1500).Draw(t, "data"))
		case 1:
			_, err = file().WriteAt(rapid.SliceOfN(rapid.Byte(), 0, 1500).Draw(t, "data"), rapid.Int64Range(0, 3000).Draw(t, "off"))
		case 2:
			_, err = file().Read(make([]byte, rapid.IntRange(0, 100).Draw(t, "len")))
		case 3:
			_, err = file().Seek(rapid.Int64Range(-10, 3000).Draw(t, "off"), rapid.IntRange(0, 2).Draw(t, "whence"))
		case 4:
			err = file().Sync()
		case 5:
			err = file().Truncate(rapid.Int64Range(0, 3000).Draw(t, "size"))
		case 6:
			_, err = file().Stat()
		case 7:
			k := rapid.IntRange(0, len(files)-1).Draw(t, "file")
			err = files[k].Close()
			files = append(files[:k], files[k+1:]...)
		case 8:
			flags := []int{os.O_RDONLY, os.O_RDWR | os.O_CREATE, os.O_WRONLY | os.O_CREATE | os.O_TRUNC, os.O_WRONLY | os.O_APPEND | os.O_CREATE}
			var f File
			f, err = fsys.OpenFile(name("name"), rapid.SampledFrom(flags).Draw(t, "flag"), 0o644)
			if err == nil {
				files = append(files, f)
			}
		case 9:
			err = fsys.Rename(name("old"), name("new"))
		case 10:
			err = fsys.Remove(name("name"))
		case 11:
			err = fsys.Mkdir("d", 0o755)
		case 12:
			_, err = fsys.Stat(name("name"))
		case 13:
			_, err = fsys.ReadDir(".")
		case 14:
			err = fsys.Link(name("old"), name("new"))
		case 15:
			err = fsys.Chmod(name("name"), 0o600)
		}
		errs = append(errs, err)
	}
	for _, f := range files {
		errs = append(errs, f.Close())
	}
	return errs
}

// injRapidFS returns a fresh filesystem of the given kind for one rapid check.
func injRapidFS(t *rapid.T, kind string) FS {
	if kind == "Mem" {
		return NewMem()
	}
	dir, err := os.MkdirTemp("", "inject-rapid-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	r, err := OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestInjectCrashProperty: for a random workload and a crash at op n (a
// crash, or a torn write that crashes), every op from n on fails with
// ErrCrashed, none before does, and the callers got the traced errors.
func TestInjectCrashProperty(t *testing.T) {
	for _, kind := range []string{"Mem", "Root"} {
		t.Run(kind, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				n := rapid.IntRange(0, 45).Draw(t, "crash-at")
				do := rapid.SampledFrom([]Action{Crash(), TornWrite()}).Draw(t, "action")
				inj := NewInjector(injRapidFS(t, kind), Fault{When: OnIndex(n), Do: do})
				errs := injRandomWorkload(t, inj)
				trace := inj.Trace()
				if len(trace) != len(errs) {
					t.Fatalf("%d calls made %d ops", len(errs), len(trace))
				}
				for k, op := range trace {
					if op.Index != k {
						t.Fatalf("trace[%d] has Index %d", k, op.Index)
					}
					if crashed := errors.Is(op.Err, ErrCrashed); crashed != (k >= n) {
						t.Fatalf("crash at #%d, but traced %v", n, op)
					}
					if op.Err != errs[k] {
						t.Fatalf("traced %v, the caller got %v", op, errs[k])
					}
				}
				if got, want := inj.Crashed(), n < len(trace); got != want {
					t.Fatalf("Crashed() = %v after %d ops, crash at #%d", got, len(trace), n)
				}
				fired := inj.Fired()
				if n < len(trace) && (len(fired) != 1 || fired[0].Index != n) || n >= len(trace) && len(fired) != 0 {
					t.Fatalf("Fired() = %v, crash at #%d", fired, n)
				}
			})
		})
	}
}

// TestInjectNthProperty: OnNth(m, Kinds(k)) fires at the mth op of kind k
// in the trace, and only there.
func TestInjectNthProperty(t *testing.T) {
	kinds := []OpKind{OpOpen, OpRead, OpWrite, OpSeek, OpSync, OpClose, OpTruncate, OpFstat, OpRename, OpRemove, OpMkdir, OpStat, OpReadDir, OpLink, OpChmod}
	rapid.Check(t, func(t *rapid.T) {
		m := rapid.IntRange(1, 5).Draw(t, "m")
		kind := rapid.SampledFrom(kinds).Draw(t, "kind")
		inj := NewInjector(NewMem(), Fault{When: OnNth(m, Kinds(kind)), Do: Errno(syscall.EIO)})
		injRandomWorkload(t, inj)
		want, seen := -1, 0
		for _, op := range inj.Trace() {
			if op.Kind == kind {
				if seen++; seen == m {
					want = op.Index
				}
			}
		}
		fired := inj.Fired()
		switch {
		case want < 0 && len(fired) != 0:
			t.Fatalf("only %d %v ops, yet fired at %v", seen, kind, fired)
		case want >= 0 && (len(fired) != 1 || fired[0].Index != want):
			t.Fatalf("fired at %v, want #%d", fired, want)
		case want >= 0 && !errors.Is(fired[0].Err, syscall.EIO):
			t.Fatalf("fired op %v does not fail with EIO", fired[0])
		}
	})
}
