package faultfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// injFixture is a filesystem holding a file "a" ("hello world"), a
// directory "d" and a symbolic link "l" to "a": an os.Root over a temporary
// directory (names relative to it), OS (absolute names), or a Mem.
type injFixture struct {
	fsys FS
	join func(string) string // the name under which fsys knows a fixture name
	// fileName is what the Name of a file opened as name returns.
	fileName func(string) string
}

const injContent = "hello world"

// injKinds are the filesystems every injector table runs on.
var injKinds = []string{"Root", "OS", "Mem"}

func newInjFixture(t testing.TB, kind string) *injFixture {
	t.Helper()
	fx := &injFixture{}
	switch kind {
	case "Root":
		dir := t.TempDir()
		r, err := OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		fx.fsys = r
		fx.join = func(name string) string { return name }
		fx.fileName = func(name string) string { return filepath.Join(dir, name) }
	case "OS":
		dir := t.TempDir()
		fx.fsys = OS{}
		fx.join = func(name string) string { return filepath.Join(dir, name) }
		fx.fileName = fx.join
	case "Mem":
		fx.fsys = NewMem()
		fx.join = func(name string) string { return name }
		fx.fileName = fx.join
	default:
		t.Fatalf("no fixture %q", kind)
	}
	if err := WriteFile(fx.fsys, fx.join("a"), []byte(injContent), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fx.fsys.Chmod(fx.join("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fx.fsys.Mkdir(fx.join("d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := fx.fsys.Symlink("a", fx.join("l")); err != nil {
		t.Fatal(err)
	}
	return fx
}

// injFSes runs f on each kind of fixture.
func injFSes(t *testing.T, f func(t *testing.T, kind string)) {
	for _, kind := range injKinds {
		t.Run(kind, func(t *testing.T) { f(t, kind) })
	}
}

// open opens name through fsys for a test step that must succeed, closing
// it when the test ends.
func (fx *injFixture) open(t testing.TB, fsys FS, name string, flag int) File {
	t.Helper()
	f, err := fsys.OpenFile(fx.join(name), flag, 0o644)
	if err != nil {
		t.Fatalf("setup: open %s: %v", name, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func (fx *injFixture) read(t testing.TB, name string) string {
	t.Helper()
	b, err := ReadFile(fx.fsys, fx.join(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (fx *injFixture) write(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := WriteFile(fx.fsys, fx.join(name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (fx *injFixture) exists(name string) bool {
	_, err := fx.fsys.Lstat(fx.join(name))
	return err == nil
}

// injOpCase is one kind of op: how to make it through an injector (after
// any setup ops of other kinds), how the os package names it in errors, and
// how to tell that it did nothing.
type injOpCase struct {
	name   string
	kind   OpKind
	osOp   string // the Op of its *fs.PathError or *os.LinkError
	link   bool   // an *os.LinkError
	target string // the fixture name in the error (Path, or Old)
	newT   string // LinkError: New
	fileOp bool   // an op on an open file: errors name the file as its Name does
	run    func(t testing.TB, fx *injFixture, fsys FS) error
	// unchanged checks that the op had no effect, if it has one to check.
	unchanged func(t testing.TB, fx *injFixture)
	// real provokes a real error from the same op on OS, to compare forms.
	real func(t testing.TB, fx *injFixture, fsys FS) error
}

func injUnchangedA(t testing.TB, fx *injFixture) {
	t.Helper()
	if got := fx.read(t, "a"); got != injContent {
		t.Errorf("a holds %q, want %q", got, injContent)
	}
}

func injAbsent(name string) func(testing.TB, *injFixture) {
	return func(t testing.TB, fx *injFixture) {
		t.Helper()
		if fx.exists(name) {
			t.Errorf("%s exists", name)
		}
	}
}

func injPresent(name string) func(testing.TB, *injFixture) {
	return func(t testing.TB, fx *injFixture) {
		t.Helper()
		if !fx.exists(name) {
			t.Errorf("%s is gone", name)
		}
	}
}

func injMode(name string, want fs.FileMode) func(testing.TB, *injFixture) {
	return func(t testing.TB, fx *injFixture) {
		t.Helper()
		fi, err := fx.fsys.Stat(fx.join(name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", name, fi.Mode().Perm(), want)
		}
	}
}

// closed returns a file of fx that is already closed, for real errors.
func (fx *injFixture) closed(t testing.TB, fsys FS) File {
	f, err := fsys.Open(fx.join("a"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return f
}

var injOpCases = []injOpCase{
	{
		name: "open-create", kind: OpOpen, osOp: "open", target: "n",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.OpenFile(fx.join("n"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
			return err
		},
		unchanged: injAbsent("n"),
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.Open(fx.join("missing"))
			return err
		},
	},
	{
		name: "create", kind: OpOpen, osOp: "open", target: "a",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.Create(fx.join("a"))
			return err
		},
		unchanged: injUnchangedA, // not truncated
	},
	{
		name: "open", kind: OpOpen, osOp: "open", target: "a",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.Open(fx.join("a"))
			return err
		},
	},
	{
		name: "read", kind: OpRead, osOp: "read", target: "a", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			f := fx.open(t, fsys, "a", os.O_RDONLY)
			buf := make([]byte, 4)
			n, err := f.Read(buf)
			if n != 0 && err != nil {
				t.Errorf("read %d bytes with an error", n)
			}
			return err
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			f := fx.open(t, fsys, "a", os.O_WRONLY)
			_, err := f.Read(make([]byte, 4))
			return err
		},
	},
	{
		name: "readat", kind: OpRead, osOp: "read", target: "a", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			f := fx.open(t, fsys, "a", os.O_RDONLY)
			_, err := f.ReadAt(make([]byte, 4), 2)
			return err
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			f := fx.open(t, fsys, "a", os.O_WRONLY)
			_, err := f.ReadAt(make([]byte, 4), 2)
			return err
		},
	},
	{
		name: "write", kind: OpWrite, osOp: "write", target: "a", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			f := fx.open(t, fsys, "a", os.O_RDWR)
			_, err := f.Write([]byte("HELLO"))
			return err
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			f := fx.open(t, fsys, "a", os.O_RDONLY)
			_, err := f.Write([]byte("HELLO"))
			return err
		},
	},
	{
		name: "writeat", kind: OpWrite, osOp: "write", target: "a", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			f := fx.open(t, fsys, "a", os.O_RDWR)
			_, err := f.WriteAt([]byte("WORLD"), 6)
			return err
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			f := fx.open(t, fsys, "a", os.O_RDONLY)
			_, err := f.WriteAt([]byte("WORLD"), 6)
			return err
		},
	},
	{
		name: "seek", kind: OpSeek, osOp: "seek", target: "a", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			f := fx.open(t, fsys, "a", os.O_RDONLY)
			_, err := f.Seek(3, io.SeekStart)
			return err
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			f := fx.open(t, fsys, "a", os.O_RDONLY)
			_, err := f.Seek(-1, io.SeekStart)
			return err
		},
	},
	{
		name: "close", kind: OpClose, osOp: "close", target: "a", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			f := fx.open(t, fsys, "a", os.O_RDONLY)
			return f.Close()
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fx.closed(t, fsys).Close()
		},
	},
	{
		name: "fsync", kind: OpSync, osOp: "sync", target: "a", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fx.open(t, fsys, "a", os.O_RDONLY).Sync()
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fx.closed(t, fsys).Sync()
		},
	},
	{
		name: "fsyncdir", kind: OpSyncDir, osOp: "sync", target: "d", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fx.open(t, fsys, "d", os.O_RDONLY).Sync()
		},
	},
	{
		name: "truncate", kind: OpTruncate, osOp: "truncate", target: "a", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fx.open(t, fsys, "a", os.O_RDWR).Truncate(2)
		},
		unchanged: injUnchangedA,
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fx.open(t, fsys, "a", os.O_RDONLY).Truncate(2)
		},
	},
	{
		name: "fstat", kind: OpFstat, osOp: "stat", target: "a", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fx.open(t, fsys, "a", os.O_RDONLY).Stat()
			return err
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fx.closed(t, fsys).Stat()
			return err
		},
	},
	{
		name: "fchmod", kind: OpFchmod, osOp: "chmod", target: "a", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fx.open(t, fsys, "a", os.O_RDONLY).Chmod(0o600)
		},
		unchanged: injMode("a", 0o644),
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fx.closed(t, fsys).Chmod(0o600)
		},
	},
	{
		name: "fchown", kind: OpFchown, osOp: "chown", target: "a", fileOp: true,
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fx.open(t, fsys, "a", os.O_RDONLY).Chown(os.Getuid(), os.Getgid())
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fx.closed(t, fsys).Chown(os.Getuid(), os.Getgid())
		},
	},
	{
		name: "rename", kind: OpRename, osOp: "rename", link: true, target: "a", newT: "b",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Rename(fx.join("a"), fx.join("b"))
		},
		unchanged: injPresent("a"),
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Rename(fx.join("missing"), fx.join("b"))
		},
	},
	{
		name: "remove", kind: OpRemove, osOp: "remove", target: "a",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Remove(fx.join("a"))
		},
		unchanged: injPresent("a"),
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Remove(fx.join("missing"))
		},
	},
	{
		name: "mkdir", kind: OpMkdir, osOp: "mkdir", target: "e",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Mkdir(fx.join("e"), 0o755)
		},
		unchanged: injAbsent("e"),
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Mkdir(fx.join("d"), 0o755)
		},
	},
	{
		name: "mkdirall", kind: OpMkdir, osOp: "mkdir", target: "e/f",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.MkdirAll(fx.join("e/f"), 0o755)
		},
		unchanged: injAbsent("e"),
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.MkdirAll(fx.join("a/f"), 0o755)
		},
	},
	{
		name: "stat", kind: OpStat, osOp: "stat", target: "l",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.Stat(fx.join("l"))
			return err
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.Stat(fx.join("missing"))
			return err
		},
	},
	{
		name: "lstat", kind: OpLstat, osOp: "lstat", target: "l",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.Lstat(fx.join("l"))
			return err
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.Lstat(fx.join("missing"))
			return err
		},
	},
	{
		name: "readdir", kind: OpReadDir, osOp: "open", target: "d",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.ReadDir(fx.join("d"))
			return err
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.ReadDir(fx.join("missing"))
			return err
		},
	},
	{
		name: "readlink", kind: OpReadlink, osOp: "readlink", target: "l",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.Readlink(fx.join("l"))
			return err
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			_, err := fsys.Readlink(fx.join("a"))
			return err
		},
	},
	{
		name: "symlink", kind: OpSymlink, osOp: "symlink", link: true, target: "a", newT: "s",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Symlink("a", fx.join("s"))
		},
		unchanged: injAbsent("s"),
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Symlink("a", fx.join("l"))
		},
	},
	{
		name: "link", kind: OpLink, osOp: "link", link: true, target: "a", newT: "h",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Link(fx.join("a"), fx.join("h"))
		},
		unchanged: injAbsent("h"),
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Link(fx.join("missing"), fx.join("h"))
		},
	},
	{
		name: "chmod", kind: OpChmod, osOp: "chmod", target: "a",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Chmod(fx.join("a"), 0o600)
		},
		unchanged: injMode("a", 0o644),
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Chmod(fx.join("missing"), 0o600)
		},
	},
	{
		name: "chown", kind: OpChown, osOp: "chown", target: "a",
		run: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Chown(fx.join("a"), os.Getuid(), os.Getgid())
		},
		real: func(t testing.TB, fx *injFixture, fsys FS) error {
			return fsys.Chown(fx.join("missing"), os.Getuid(), os.Getgid())
		},
	},
}

// injErrorForm checks that err is the error the os package would give for
// op c failing with want: its type, Op, path and cause.
func injErrorForm(t testing.TB, fx *injFixture, c injOpCase, err error, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want one wrapping %v", err, want)
	}
	wantPath := fx.join(c.target)
	if c.fileOp {
		wantPath = fx.fileName(c.target) // as the wrapped file's Name says
	}
	if c.link {
		var le *os.LinkError
		if !errors.As(err, &le) {
			t.Fatalf("err = %#v, want an *os.LinkError", err)
		}
		wantNew := fx.join(c.newT)
		if c.kind == OpSymlink {
			wantPath = c.target // a symlink's target is not a name in fsys
		}
		if le.Op != c.osOp || le.Old != wantPath || le.New != wantNew || le.Err != want {
			t.Errorf("err = %#v, want &os.LinkError{Op: %q, Old: %q, New: %q, Err: %v}", le, c.osOp, wantPath, wantNew, want)
		}
		return
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %#v, want an *fs.PathError", err)
	}
	if pe.Op != c.osOp || pe.Path != wantPath || pe.Err != want {
		t.Errorf("err = %#v, want &fs.PathError{Op: %q, Path: %q, Err: %v}", pe, c.osOp, wantPath, want)
	}
}

// TestInjectEveryOpEveryAction fires each action at the first op of each
// kind and checks the error the caller gets, the trace, and that the op
// did nothing.
func TestInjectEveryOpEveryAction(t *testing.T) {
	actions := []struct {
		do      Action
		want    error
		crashed bool
	}{
		{Errno(syscall.EIO), syscall.EIO, false},
		{Errno(syscall.EACCES), syscall.EACCES, false},
		{ShortWrite(), syscall.ENOSPC, false},
		{TornWrite(), ErrCrashed, true},
		{Crash(), ErrCrashed, true},
	}
	injFSes(t, func(t *testing.T, kind string) {
		for _, c := range injOpCases {
			for _, a := range actions {
				if c.kind == OpWrite && a.do != Errno(syscall.EIO) && a.do != Crash() {
					continue // short and torn writes have their own tests
				}
				t.Run(c.name+"/"+a.do.String(), func(t *testing.T) {
					fx := newInjFixture(t, kind)
					inj := NewInjector(fx.fsys, Fault{When: OnNth(1, Kinds(c.kind)), Do: a.do})
					err := c.run(t, fx, inj)
					injErrorForm(t, fx, c, err, a.want)
					if c.unchanged != nil {
						c.unchanged(t, fx)
					}
					if got := inj.Crashed(); got != a.crashed {
						t.Errorf("Crashed() = %v, want %v", got, a.crashed)
					}
					trace := inj.Trace()
					last := trace[len(trace)-1]
					if last.Kind != c.kind || last.Err != err || last.Index != len(trace)-1 {
						t.Errorf("last op %v (err %p), want a %v failing with the returned error %p", last, last.Err, c.kind, err)
					}
					if fired := inj.Fired(); len(fired) != 1 || fired[0].Index != last.Index || fired[0].Err != err {
						t.Errorf("Fired() = %v, want [%v]", fired, last)
					}
					if inj.Ops() != len(trace) {
						t.Errorf("Ops() = %d, trace has %d", inj.Ops(), len(trace))
					}
				})
			}
		}
	})
}

// TestInjectErrorFormMatchesOS checks the injector's made-up errors against
// real ones the os package returns for the same calls.
func TestInjectErrorFormMatchesOS(t *testing.T) {
	for _, c := range injOpCases {
		if c.real == nil {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			fx := newInjFixture(t, "OS")
			realErr := c.real(t, fx, OS{})
			if realErr == nil {
				t.Fatal("the real op did not fail")
			}
			inj := NewInjector(fx.fsys, Fault{When: OnNth(1, Kinds(c.kind)), Do: Errno(syscall.EIO)})
			injErr := c.run(t, fx, inj)
			if got, want := fmt.Sprintf("%T", injErr), fmt.Sprintf("%T", realErr); got != want {
				t.Fatalf("injected %s, os returns %s (%v)", got, want, realErr)
			}
			var gotOp, wantOp string
			switch e := realErr.(type) {
			case *fs.PathError:
				gotOp, wantOp = injErr.(*fs.PathError).Op, e.Op
			case *os.LinkError:
				gotOp, wantOp = injErr.(*os.LinkError).Op, e.Op
			}
			if gotOp != wantOp || wantOp != c.osOp {
				t.Errorf("injected Op %q, os says %q (%v), table says %q", gotOp, wantOp, realErr, c.osOp)
			}
		})
	}
}

// TestInjectPassThrough runs every op with no fault: each succeeds as it
// would on the wrapped FS, and the trace records it.
func TestInjectPassThrough(t *testing.T) {
	injFSes(t, func(t *testing.T, kind string) {
		for _, c := range injOpCases {
			t.Run(c.name, func(t *testing.T) {
				fx := newInjFixture(t, kind)
				inj := NewInjector(fx.fsys)
				if err := c.run(t, fx, inj); err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				trace := inj.Trace()
				if last := trace[len(trace)-1]; last.Kind != c.kind || last.Err != nil {
					t.Errorf("last op %v, want a %v that succeeded", last, c.kind)
				}
				if inj.Crashed() || len(inj.Fired()) != 0 {
					t.Errorf("crashed %v, fired %v with no faults", inj.Crashed(), inj.Fired())
				}
			})
		}
	})
}

func TestInjectShortWrite(t *testing.T) {
	tests := []struct {
		name  string
		off   int64 // -1: Write at the file's offset 0
		data  string
		wantN int
		want  string
	}{
		{"write", -1, "HELLO", 2, "HEllo world"},
		{"write-one-byte", -1, "H", 0, injContent},
		{"write-two-bytes", -1, "HE", 1, "Hello world"},
		{"writeat", 6, "WORLD", 2, "hello WOrld"},
		{"writeat-past-end", 11, "!!!!", 2, "hello world!!"},
	}
	injFSes(t, func(t *testing.T, kind string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				fx := newInjFixture(t, kind)
				inj := NewInjector(fx.fsys, Fault{When: OnNth(1, Kinds(OpWrite)), Do: ShortWrite()})
				f := fx.open(t, inj, "a", os.O_RDWR)
				var n int
				var err error
				if tt.off < 0 {
					n, err = f.Write([]byte(tt.data))
				} else {
					n, err = f.WriteAt([]byte(tt.data), tt.off)
				}
				if n != tt.wantN {
					t.Errorf("n = %d, want %d", n, tt.wantN)
				}
				injErrorForm(t, fx, injOpCase{osOp: "write", target: "a", fileOp: true}, err, syscall.ENOSPC)
				if got := fx.read(t, "a"); got != tt.want {
					t.Errorf("a holds %q, want %q", got, tt.want)
				}
				if inj.Crashed() {
					t.Error("a short write crashed")
				}
				op := inj.Trace()[1]
				wantOff := tt.off
				if wantOff < 0 {
					wantOff = 0
				}
				if op.Off != wantOff || op.Len != int64(len(tt.data)) || op.N != int64(tt.wantN) {
					t.Errorf("traced %v, want off=%d len=%d n=%d", op, wantOff, len(tt.data), tt.wantN)
				}
				// The file is usable afterwards: the rest can be written.
				if _, err := f.Write([]byte(tt.data[n:])); err != nil && tt.off < 0 {
					t.Errorf("write after a short write: %v", err)
				}
			})
		}
	})
}

func TestInjectTornWrite(t *testing.T) {
	old := bytes.Repeat([]byte{'o'}, 4096)
	tests := []struct {
		name   string
		seek   int64 // offset before the write
		size   int   // bytes written
		at     bool  // WriteAt at seek instead
		append bool  // O_APPEND
		n      int   // bytes the torn write keeps
	}{
		{"write-at-0", 0, 3000, false, false, 1024},      // middle 1500: boundary 1024
		{"write-at-100", 100, 3000, false, false, 1436},  // middle 1600: 1536
		{"writeat-at-600", 600, 3000, true, false, 1448}, // middle 2100: 2048
		{"write-at-1000", 1000, 3000, false, false, 1048},
		{"small", 0, 600, false, false, 0},      // middle 300: nothing
		{"unaligned", 700, 600, true, false, 0}, // middle 1000: 512 is before the start
		{"append", 0, 3000, false, true, 1024},  // counted from the data's start
	}
	injFSes(t, func(t *testing.T, kind string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				fx := newInjFixture(t, kind)
				fx.write(t, "a", old)
				data := bytes.Repeat([]byte{'n'}, tt.size)
				inj := NewInjector(fx.fsys, Fault{When: OnNth(1, Kinds(OpWrite)), Do: TornWrite()})
				flag := os.O_RDWR
				if tt.append {
					flag |= os.O_APPEND
				}
				f := fx.open(t, inj, "a", flag)
				var n int
				var err error
				switch {
				case tt.at:
					n, err = f.WriteAt(data, tt.seek)
				default:
					if _, err := f.Seek(tt.seek, io.SeekStart); err != nil {
						t.Fatal(err)
					}
					n, err = f.Write(data)
				}
				injErrorForm(t, fx, injOpCase{osOp: "write", target: "a", fileOp: true}, err, ErrCrashed)
				if n != tt.n {
					t.Errorf("n = %d, want %d", n, tt.n)
				}
				if !inj.Crashed() {
					t.Error("a torn write did not crash")
				}
				want := append([]byte(nil), old...)
				start := int(tt.seek)
				if tt.append {
					start = len(old)
				}
				want = append(want[:start], append(data[:tt.n], want[min(start+tt.n, len(want)):]...)...)
				if got := fx.read(t, "a"); got != string(want) {
					t.Errorf("a holds %d bytes, want %d (%d torn in at %d)", len(got), len(want), tt.n, start)
				}
				if end := start + tt.n; !tt.append && end%512 != 0 && tt.n != 0 {
					t.Errorf("torn write ends at %d, not on a sector boundary", end)
				}
				trace := inj.Trace()
				op := trace[len(trace)-1]
				wantOff := tt.seek
				if tt.append {
					wantOff = -1
				}
				if op.Off != wantOff || op.N != int64(tt.n) || op.Len != int64(len(data)) {
					t.Errorf("traced %v, want off=%d len=%d n=%d", op, wantOff, len(data), tt.n)
				}
			})
		}
	})
}

// TestInjectCrashSticks: after a crash every op fails with ErrCrashed, on
// files opened before it too, and nothing reaches the wrapped FS.
func TestInjectCrashSticks(t *testing.T) {
	injFSes(t, func(t *testing.T, kind string) {
		fx := newInjFixture(t, kind)
		inj := NewInjector(fx.fsys, Fault{When: OnNth(1, Kinds(OpRename)), Do: Crash()})
		a := fx.open(t, inj, "a", os.O_RDWR)
		d := fx.open(t, inj, "d", os.O_RDONLY)
		if err := inj.Rename(fx.join("a"), fx.join("b")); !errors.Is(err, ErrCrashed) {
			t.Fatalf("rename: %v, want a crash", err)
		}
		crashAt := inj.Ops() - 1
		checks := []struct {
			name string
			err  error
		}{
			{"write", func() error { _, err := a.Write([]byte("x")); return err }()},
			{"writeat", func() error { _, err := a.WriteAt([]byte("x"), 3); return err }()},
			{"read", func() error { _, err := a.Read(make([]byte, 1)); return err }()},
			{"seek", func() error { _, err := a.Seek(0, io.SeekEnd); return err }()},
			{"truncate", a.Truncate(0)},
			{"fsync", a.Sync()},
			{"fsyncdir", d.Sync()},
			{"fstat", func() error { _, err := a.Stat(); return err }()},
			{"fchmod", a.Chmod(0o600)},
			{"chmod", inj.Chmod(fx.join("a"), 0o600)},
			{"remove", inj.Remove(fx.join("a"))},
			{"mkdir", inj.Mkdir(fx.join("e"), 0o755)},
			{"symlink", inj.Symlink("a", fx.join("s"))},
			{"open", func() error { _, err := inj.Open(fx.join("a")); return err }()},
			{"create", func() error { _, err := inj.Create(fx.join("c")); return err }()},
			{"stat", func() error { _, err := inj.Stat(fx.join("a")); return err }()},
			{"close", a.Close()},
			{"close-dir", d.Close()},
		}
		for _, c := range checks {
			if !errors.Is(c.err, ErrCrashed) {
				t.Errorf("%s after the crash: %v, want ErrCrashed", c.name, c.err)
			}
		}
		if got, want := a.Name(), fx.fileName("a"); got != want {
			t.Errorf("Name() = %q after the crash, want %q", got, want)
		}
		injUnchangedA(t, fx)
		injMode("a", 0o644)(t, fx)
		for _, name := range []string{"b", "e", "s", "c"} {
			injAbsent(name)(t, fx)
		}
		trace := inj.Trace()
		if len(trace) != crashAt+1+len(checks) {
			t.Fatalf("trace has %d ops, want %d", len(trace), crashAt+1+len(checks))
		}
		for _, op := range trace[crashAt:] {
			if !errors.Is(op.Err, ErrCrashed) {
				t.Errorf("traced %v after the crash", op)
			}
		}
		for _, op := range trace[:crashAt] {
			if op.Err != nil {
				t.Errorf("traced %v before the crash", op)
			}
		}
		// A directory's fsync is traced as one after the crash too.
		if k := trace[crashAt+7].Kind; k != OpSyncDir {
			t.Errorf("fsync of a directory after the crash traced as %v", k)
		}
		if fired := inj.Fired(); len(fired) != 1 || fired[0].Kind != OpRename {
			t.Errorf("Fired() = %v, want the rename", fired)
		}
	})
}

// syncFailFS wraps an FS so that its files implement SyncFailer and log
// how they were synced.
type syncFailFS struct {
	FS
	log *[]string
}

type syncFailFile struct {
	File
	log *[]string
}

func (s syncFailFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := s.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return syncFailFile{f, s.log}, nil
}

func (f syncFailFile) Sync() error {
	*f.log = append(*f.log, "Sync")
	return f.File.Sync()
}

func (f syncFailFile) FailSync(err error) error {
	*f.log = append(*f.log, "FailSync("+ErrString(err)+")")
	return &fs.PathError{Op: "sync", Path: f.Name(), Err: err}
}

func TestInjectSyncFailer(t *testing.T) {
	fx := newInjFixture(t, "Root")
	var log []string
	inj := NewInjector(syncFailFS{fx.fsys, &log},
		Fault{When: OnNth(1, Kinds(OpSync)), Do: Errno(syscall.EIO)},
		Fault{When: OnNth(1, Kinds(OpSyncDir)), Do: Errno(syscall.ENOSPC)},
	)
	f := fx.open(t, inj, "a", os.O_RDWR)
	if _, err := f.Write([]byte("new")); err != nil {
		t.Fatal(err)
	}
	err := f.Sync()
	injErrorForm(t, fx, injOpCase{osOp: "sync", target: "a", fileOp: true}, err, syscall.EIO)
	if err := f.Sync(); err != nil { // a retried fsync succeeds
		t.Errorf("second fsync: %v", err)
	}
	d := fx.open(t, inj, "d", os.O_RDONLY)
	if err := d.Sync(); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("fsyncdir: %v, want ENOSPC", err)
	}
	want := []string{"FailSync(EIO)", "Sync", "FailSync(ENOSPC)"}
	if fmt.Sprint(log) != fmt.Sprint(want) {
		t.Errorf("wrapped files saw %q, want %q", log, want)
	}

	// A crash at an fsync is no fsync error: FailSync is not called.
	log = nil
	inj.SetFaults(Fault{When: OnNth(1, Kinds(OpSync)), Do: Crash()})
	if err := f.Sync(); !errors.Is(err, ErrCrashed) {
		t.Errorf("fsync: %v, want a crash", err)
	}
	if len(log) != 0 {
		t.Errorf("a crash at fsync called %q", log)
	}
}

func TestInjectSetFaults(t *testing.T) {
	fx := newInjFixture(t, "Root")
	stat := func(inj *Injector) error { _, err := inj.Stat("a"); return err }
	inj := NewInjector(fx.fsys, Fault{When: OnNth(2, Kinds(OpStat)), Do: Errno(syscall.EIO)})
	if err := stat(inj); err != nil {
		t.Fatal(err)
	}
	// Replacing the faults resets the count: the second stat from now fails.
	inj.SetFaults(Fault{When: OnNth(2, Kinds(OpStat)), Do: Errno(syscall.EROFS)})
	if err := stat(inj); err != nil {
		t.Fatalf("first stat after SetFaults: %v", err)
	}
	if err := stat(inj); !errors.Is(err, syscall.EROFS) {
		t.Fatalf("second stat after SetFaults: %v, want EROFS", err)
	}
	if err := stat(inj); err != nil {
		t.Fatalf("a fault fired twice: %v", err)
	}
	if n := inj.Ops(); n != 4 {
		t.Errorf("Ops() = %d, want 4: the trace is kept", n)
	}
	if fired := inj.Fired(); len(fired) != 1 || fired[0].Index != 2 {
		t.Errorf("Fired() = %v, want op #2", fired)
	}
	inj.SetFaults()
	if err := stat(inj); err != nil {
		t.Errorf("no faults: %v", err)
	}
}

// TestInjectSeveralFaults: faults fire independently, each once; when two
// pick the same op the first given acts and the other is spent.
func TestInjectSeveralFaults(t *testing.T) {
	fx := newInjFixture(t, "Root")
	inj := NewInjector(fx.fsys,
		Fault{When: OnIndex(1), Do: Errno(syscall.EIO)},
		Fault{When: OnNth(2, Kinds(OpStat)), Do: Errno(syscall.EACCES)}, // also op 1
		Fault{When: OnNth(3, Kinds(OpStat)), Do: Errno(syscall.EXDEV)},
		Fault{When: OnIndex(-1), Do: Crash()},
		Fault{When: OnNth(0, nil), Do: Crash()},
	)
	var got []string
	for range 5 {
		_, err := inj.Stat("a")
		got = append(got, ErrString(err))
	}
	if want := "[ok EIO EXDEV ok ok]"; fmt.Sprint(got) != want {
		t.Errorf("stats returned %v, want %v", got, want)
	}
	if fired := inj.Fired(); len(fired) != 2 || fired[0].Index != 1 || fired[1].Index != 2 {
		t.Errorf("Fired() = %v", fired)
	}
}

func TestInjectFaultNeedsWhenAndDo(t *testing.T) {
	for _, f := range []Fault{{When: OnIndex(0)}, {Do: Crash()}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewInjector(%+v) did not panic", f)
				}
			}()
			NewInjector(OS{}, f)
		}()
	}
}

func TestInjectOnCrash(t *testing.T) {
	fx := newInjFixture(t, "Root")
	inj := NewInjector(fx.fsys, Fault{When: OnNth(1, Kinds(OpLstat)), Do: Crash()})
	calls := 0
	inj.OnCrash(func() { calls++ })
	inj.Stat("a")
	if calls != 0 {
		t.Fatalf("OnCrash called %d times before the crash", calls)
	}
	inj.Lstat("a")
	inj.Rename("a", "b")
	if calls != 2 {
		t.Errorf("OnCrash called %d times, want 2 (the crash and the rename after it)", calls)
	}

	// Goexit stops the workload's goroutine at its crash point.
	inj = NewInjector(fx.fsys, Fault{When: OnIndex(1), Do: Crash()})
	inj.OnCrash(runtime.Goexit)
	done := make(chan int)
	go func() {
		reached := 0
		defer func() { done <- reached }()
		for range 3 {
			inj.Stat("a")
			reached++
		}
	}()
	if reached := <-done; reached != 1 {
		t.Errorf("the workload went on to op %d after its crash at op 1", reached)
	}
	inj.OnCrash(nil)
	if _, err := inj.Stat("a"); !errors.Is(err, ErrCrashed) {
		t.Errorf("stat: %v", err)
	}
}

// bareFS has only the methods of FS: none of the optional capabilities,
// not even Umasker.
type bareFS struct{ FS }

func TestInjectUmask(t *testing.T) {
	for _, tc := range []struct {
		name string
		fsys FS
		want fs.FileMode
	}{
		{"Mem 027", NewMem(WithUmask(0o027)), 0o027},
		{"Mem 0", NewMem(WithUmask(0)), 0},
		{"no Umasker", bareFS{NewMem(WithUmask(0o077))}, 0o022},
	} {
		if got := NewInjector(tc.fsys).Umask(); got != tc.want {
			t.Errorf("%s: Umask() = %#o, want the wrapped FS's %#o", tc.name, got, tc.want)
		}
	}
}

// TestInjectConcurrent checks under -race that ops from many goroutines get
// distinct indexes in one trace and that exactly one fault fires.
func TestInjectConcurrent(t *testing.T) {
	fx := newInjFixture(t, "Root")
	inj := NewInjector(fx.fsys, Fault{When: OnNth(50, Kinds(OpWrite)), Do: Errno(syscall.EIO)})
	const workers, each = 4, 40
	errs := make(chan error, workers*each)
	done := make(chan struct{})
	for w := range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			f, err := inj.Create(fmt.Sprintf("w%d", w))
			if err != nil {
				errs <- err
				return
			}
			defer f.Close()
			for range each {
				_, err := f.Write([]byte("x"))
				errs <- err
				inj.Trace()
			}
		}()
	}
	for range workers {
		<-done
	}
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d writes failed, want 1", failed)
	}
	for k, op := range inj.Trace() {
		if op.Index != k {
			t.Fatalf("trace[%d].Index = %d", k, op.Index)
		}
	}
	if n := inj.Ops(); n != workers*(each+2) {
		t.Errorf("Ops() = %d, want %d", n, workers*(each+2))
	}
}

// nopFS and nopFile do nothing, so that benchmarks measure the injector.
type nopFS struct{ FS }

type nopFile struct{ File }

func (nopFS) OpenFile(string, int, fs.FileMode) (File, error) { return nopFile{}, nil }
func (nopFile) Name() string                                  { return "f" }
func (nopFile) Write(p []byte) (int, error)                   { return len(p), nil }
func (nopFile) Seek(int64, int) (int64, error)                { return 0, nil }
func (nopFile) Sync() error                                   { return nil }
func (nopFile) Close() error                                  { return nil }

// BenchmarkInjectTrace measures what tracing costs a workload the harness
// re-runs: open, 8 writes, fsync, close (11 ops) on a fresh injector armed
// with a fault that never fires, over a filesystem that does nothing.
func BenchmarkInjectTrace(b *testing.B) {
	p := make([]byte, 64)
	run := func(fsys FS) {
		f, _ := fsys.OpenFile("f", os.O_WRONLY|os.O_CREATE, 0o644)
		for range 8 {
			f.Write(p)
		}
		f.Sync()
		f.Close()
	}
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			run(nopFS{})
		}
	})
	b.Run("injector", func(b *testing.B) {
		b.ReportAllocs()
		faults := []Fault{{When: OnNth(1000, And(Kinds(OpWrite), PathMatch("*.tmp"))), Do: Errno(syscall.EIO)}}
		for b.Loop() {
			run(NewInjector(nopFS{}, faults...))
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*11), "ns/traced-op")
	})
}
