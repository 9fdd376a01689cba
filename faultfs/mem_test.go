//go:build linux || darwin

package faultfs

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Behaviour of Mem that the real filesystem cannot be compared with:
// devices, quota, the op log, and the extras beyond FS.

var updateMemGolden = flag.Bool("mem.update", false, "rewrite testdata/mem_log.golden")

// memMust fails the test at once if err is not nil.
func memMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErrno fails the test unless err wraps errno and is of the error type
// the os package would use for op.
func wantErrno(t *testing.T, what string, err error, errno syscall.Errno) {
	t.Helper()
	if !errors.Is(err, errno) {
		t.Errorf("%s: got %v, want %s", what, err, ErrnoName(errno))
	}
}

func memWrite(t *testing.T, m *Mem, name, data string) {
	t.Helper()
	memMust(t, WriteFile(m, name, []byte(data), 0o644))
}

func TestMemDevices(t *testing.T) {
	m := NewMem()
	memMust(t, m.Mkdir("mnt", 0o755))
	memMust(t, m.AddDevice("mnt"))
	memWrite(t, m, "a", "root device")
	memMust(t, m.Mkdir("mnt/d", 0o755))
	memWrite(t, m, "mnt/b", "other device")

	var le *os.LinkError
	err := m.Rename("a", "mnt/a")
	wantErrno(t, "rename onto the other device", err, syscall.EXDEV)
	if !errors.As(err, &le) || le.Op != "rename" {
		t.Errorf("rename across devices: %T %v, want an *os.LinkError from rename", err, err)
	}
	wantErrno(t, "rename from the other device", m.Rename("mnt/b", "b"), syscall.EXDEV)
	wantErrno(t, "rename a directory across", m.Rename("mnt/d", "d"), syscall.EXDEV)
	wantErrno(t, "rename over a file across", m.Rename("mnt/b", "a"), syscall.EXDEV)
	wantErrno(t, "link across", m.Link("a", "mnt/a"), syscall.EXDEV)
	wantErrno(t, "link back", m.Link("mnt/b", "b"), syscall.EXDEV)
	wantErrno(t, "RenameNoReplace across", m.RenameNoReplace("a", "mnt/c"), syscall.EXDEV)

	// Within a device everything works, including the device's own tree.
	memMust(t, m.Rename("mnt/b", "mnt/d/b"))
	memMust(t, m.Link("mnt/d/b", "mnt/b2"))
	memMust(t, m.Symlink("/a", "mnt/l")) // symbolic links may cross
	if b, err := ReadFile(m, "mnt/l"); err != nil || string(b) != "root device" {
		t.Errorf("read through a link across devices: %q, %v", b, err)
	}

	devOf := func(name string) uint64 {
		fi, err := m.Stat(name)
		memMust(t, err)
		return uint64(fi.Sys().(*syscall.Stat_t).Dev)
	}
	if devOf("a") == devOf("mnt/d/b") {
		t.Errorf("files on two devices report the same st_dev %d", devOf("a"))
	}
	if devOf("mnt") != devOf("mnt/d") {
		t.Errorf("the mount point and a directory below it differ in st_dev")
	}

	wantErrno(t, "AddDevice on a non-empty dir", m.AddDevice("mnt"), syscall.EBUSY)
	wantErrno(t, "AddDevice on a file", m.AddDevice("a"), syscall.ENOTDIR)
	wantErrno(t, "AddDevice on nothing", m.AddDevice("missing"), syscall.ENOENT)
	wantErrno(t, "AddDevice below nothing", m.AddDevice("missing/x"), syscall.ENOENT)
}

func TestMemQuota(t *testing.T) {
	m := NewMem(WithQuota(10))
	f, err := m.Create("a")
	memMust(t, err)
	if n, err := f.Write([]byte("123456")); n != 6 || err != nil {
		t.Fatalf("write within quota: %d, %v", n, err)
	}
	n, err := f.Write([]byte("abcdef"))
	if n != 4 {
		t.Errorf("write across the quota wrote %d bytes, want the 4 that fit", n)
	}
	wantErrno(t, "write across the quota", err, syscall.ENOSPC)
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "write" || pe.Path != "a" {
		t.Errorf("write across the quota: %#v, want a *fs.PathError{write a}", err)
	}
	if n, err := f.Write([]byte("x")); n != 0 || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("write on a full disk: %d, %v, want 0, ENOSPC", n, err)
	}
	// Overwriting allocated bytes needs no space.
	if n, err := f.WriteAt([]byte("OVER"), 2); n != 4 || err != nil {
		t.Errorf("overwrite on a full disk: %d, %v", n, err)
	}
	wantErrno(t, "truncate past the quota", f.Truncate(11), syscall.ENOSPC)
	if n, err := f.WriteAt([]byte("z"), 20); n != 0 || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("write into a hole past the quota: %d, %v", n, err)
	}
	memMust(t, f.Close())
	if b, _ := ReadFile(m, "a"); string(b) != "12OVERabcd" {
		t.Errorf("content after the partial write: %q", b)
	}
	wantErrno(t, "a second file on a full disk", WriteFile(m, "b", []byte("x"), 0o644), syscall.ENOSPC)

	// A hard link holds the data: removing one name frees nothing.
	memMust(t, m.Link("a", "a2"))
	memMust(t, m.Remove("a"))
	wantErrno(t, "write while the data has a name", WriteFile(m, "b", []byte("x"), 0o644), syscall.ENOSPC)
	memMust(t, m.Remove("a2"))
	memMust(t, WriteFile(m, "b", []byte("0123456789"), 0o644))

	// O_TRUNC and Truncate give space back; so does a rename over a file.
	memMust(t, WriteFile(m, "b", []byte("01234"), 0o644))
	memWrite(t, m, "c", "56789")
	memWrite(t, m, "tmp", "")
	memMust(t, m.Rename("tmp", "c"))
	g, err := m.OpenFile("b", os.O_RDWR, 0)
	memMust(t, err)
	memMust(t, g.Truncate(1))
	if n, err := g.WriteAt([]byte("abcdefghi"), 1); n != 9 || err != nil {
		t.Errorf("write into freed space: %d, %v", n, err)
	}
	memMust(t, g.Close())

	// An open file that loses its last name gives its space back, and what
	// it writes afterwards is not charged to the disk for ever.
	h, err := m.OpenFile("b", os.O_RDWR, 0)
	memMust(t, err)
	memMust(t, m.Remove("b"))
	if _, err := h.WriteAt(make([]byte, 5), 10); err != nil {
		t.Errorf("write to an unlinked open file: %v", err)
	}
	memMust(t, h.Close())
	memMust(t, WriteFile(m, "d", make([]byte, 10), 0o644))
}

func TestMemMakeDurable(t *testing.T) {
	m := NewMem()
	memMust(t, m.Mkdir("d", 0o755))
	memWrite(t, m, "d/f", "before")
	if len(m.Log()) == 0 {
		t.Fatal("no ops logged before MakeDurable")
	}
	m.MakeDurable()
	if ops := m.Log(); len(ops) != 0 {
		t.Fatalf("MakeDurable left %d ops in the log: %v", len(ops), ops)
	}
	h := m.History()
	if h.Points() != 1 {
		t.Errorf("History after MakeDurable has %d crash points, want 1", h.Points())
	}
	if b, err := h.InitialState().ReadFile("d/f"); err != nil || string(b) != "before" {
		t.Errorf("durable state after MakeDurable: %q, %v", b, err)
	}
	memWrite(t, m, "d/f", "after")
	ops := m.Log()
	if len(ops) == 0 || ops[0].Index != 0 {
		t.Fatalf("the log does not restart from index 0: %v", ops)
	}
	// The earlier history is immutable: later ops do not reach it.
	if h.Points() != 1 {
		t.Errorf("an old History grew to %d points", h.Points())
	}
	h2 := m.History()
	if b, _ := h2.InitialState().ReadFile("d/f"); string(b) != "before" {
		t.Errorf("durable state before the new ops: %q", b)
	}
	if b, _ := h2.FinalState().ReadFile("d/f"); string(b) != "after" {
		t.Errorf("final state: %q", b)
	}
}

// memLogWorkload makes every kind of op Mem logs, and some it must not.
func memLogWorkload(t *testing.T, m *Mem) {
	memMust(t, m.MkdirAll("dir/sub", 0o750))
	f, err := m.OpenFile("dir/f.tmp", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	memMust(t, err)
	_, err = f.Write([]byte("hello world"))
	memMust(t, err)
	_, err = f.WriteAt([]byte("W"), 6)
	memMust(t, err)
	_, err = f.Write(nil) // writes nothing: not logged
	memMust(t, err)
	_, err = f.Seek(0, io.SeekStart) // reads and seeks are not logged
	memMust(t, err)
	_, err = f.Read(make([]byte, 4))
	memMust(t, err)
	memMust(t, f.Truncate(5))
	memMust(t, f.Chmod(0o640))
	memMust(t, f.Chown(1, 2))
	_, err = f.Stat()
	memMust(t, err)
	memMust(t, f.Sync())
	if err := f.(SyncFailer).FailSync(syscall.EIO); !errors.Is(err, syscall.EIO) {
		t.Fatalf("FailSync returned %v", err)
	}
	memMust(t, f.Close())
	memMust(t, m.Rename("dir/f.tmp", "dir/f"))
	memMust(t, SyncDir(m, "dir"))
	memMust(t, m.Symlink("f", "dir/link"))
	memMust(t, m.Link("dir/f", "dir/hard"))
	memMust(t, m.Chmod("dir/f", 0o644))
	memMust(t, m.Chown("dir/f", 3, 4))
	memMust(t, m.Lchown("dir/link", 5, 6))
	memMust(t, m.Chtimes("dir/f", time.Time{}, time.Unix(1, 0))) // not logged
	memMust(t, m.RenameNoReplace("dir/hard", "dir/hard2"))
	memMust(t, m.Remove("dir/hard2"))
	memMust(t, m.Remove("dir/sub"))
	g, err := m.OpenFile("dir/f", os.O_WRONLY|os.O_TRUNC, 0)
	memMust(t, err)
	_, err = g.Write([]byte("new"))
	memMust(t, err)
	memMust(t, g.Close())
	c, err := m.Create("dir/c") // O_TRUNC does not truncate a file it creates
	memMust(t, err)
	memMust(t, c.Close())
	r, err := m.Open("dir/f") // opened and closed unwritten: not logged
	memMust(t, err)
	memMust(t, r.Close())
	// Failures change nothing and log nothing.
	if err := m.Mkdir("dir", 0o755); err == nil {
		t.Fatal("mkdir of an existing dir succeeded")
	}
	if err := m.Remove("missing"); err == nil {
		t.Fatal("remove of a missing file succeeded")
	}
	if _, err := m.OpenFile("dir/f", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644); err == nil {
		t.Fatal("exclusive create of an existing file succeeded")
	}
}

func TestMemLogGolden(t *testing.T) {
	m := NewMem()
	memLogWorkload(t, m)
	var b strings.Builder
	for _, op := range m.Log() {
		fmt.Fprintln(&b, op)
	}
	got := b.String()
	golden := filepath.Join("testdata", "mem_log.golden")
	if *updateMemGolden {
		memMust(t, os.WriteFile(golden, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestMemLogGolden -mem.update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("Mem's log differs from %s (rerun with -mem.update if the change is meant):\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
}

// TestMemLogFields checks what the golden file cannot show: the fields of
// the ops the persistence models read.
func TestMemLogFields(t *testing.T) {
	m := NewMem()
	memLogWorkload(t, m)
	ops := m.Log()
	for i, op := range ops {
		if op.Index != i {
			t.Errorf("op %d has Index %d", i, op.Index)
		}
		if !op.Kind.IsMutating() && op.Kind != OpClose {
			t.Errorf("op %v is not mutating: Mem logs only what changes the disk", op)
		}
		if op.Kind == OpSyncFailed {
			if !errors.Is(op.Err, syscall.EIO) {
				t.Errorf("the failed fsync logs %v, want EIO", op.Err)
			}
		} else if op.Err != nil {
			t.Errorf("op %v has an error: Mem logs successes", op)
		}
	}
	find := func(k OpKind, path string) Op {
		t.Helper()
		for _, op := range ops {
			if op.Kind == k && op.Path == path {
				return op
			}
		}
		t.Fatalf("no %v of %s in the log", k, path)
		return Op{}
	}
	if op := find(OpWrite, "dir/f.tmp"); op.Off != 0 || op.Len != 11 || op.N != 11 {
		t.Errorf("first write: %+v", op)
	}
	if op := find(OpCreate, "dir/f.tmp"); op.Mode != 0o600 {
		t.Errorf("create mode %v, want 0600", op.Mode)
	}
	if op := find(OpRename, "dir/f.tmp"); op.NewPath != "dir/f" {
		t.Errorf("rename: %+v", op)
	}
	if op := find(OpTruncate, "dir/f.tmp"); op.Off != 5 {
		t.Errorf("truncate: %+v", op)
	}
	if op := find(OpMkdir, "dir/sub"); op.Mode != 0o750 {
		t.Errorf("mkdir mode %v, want 0750 (umask 022)", op.Mode)
	}
	if op := find(OpRmdir, "dir/sub"); op.Kind != OpRmdir {
		t.Errorf("removing a directory logs %v", op.Kind)
	}

	// A write across the quota logs the bytes written, not those asked.
	q := NewMem(WithQuota(3))
	f, err := q.Create("a")
	memMust(t, err)
	if _, err := f.Write([]byte("12345")); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("write across the quota: %v", err)
	}
	last := q.Log()[len(q.Log())-1]
	if last.Kind != OpWrite || last.Len != 5 || last.N != 3 {
		t.Errorf("partial write logged as %v (Len %d, N %d), want Len 5, N 3", last, last.Len, last.N)
	}
}

func TestMemStatSys(t *testing.T) {
	m := NewMem(WithOwner(1234, 5678))
	memWrite(t, m, "a", "12345")
	memMust(t, m.Mkdir("d", 0o755))
	memMust(t, m.Mkdir("d/s", 0o755))
	memMust(t, m.Link("a", "d/a"))
	memMust(t, m.Symlink("a", "l"))
	st := func(name string, follow bool) *syscall.Stat_t {
		t.Helper()
		stat := m.Stat
		if !follow {
			stat = m.Lstat
		}
		fi, err := stat(name)
		memMust(t, err)
		s, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			t.Fatalf("Stat(%s).Sys() is %T, want *syscall.Stat_t", name, fi.Sys())
		}
		if s.Size != fi.Size() && !fi.IsDir() {
			t.Errorf("%s: st_size %d, Size %d", name, s.Size, fi.Size())
		}
		return s
	}
	a, da := st("a", true), st("d/a", true)
	if a.Ino != da.Ino || a.Nlink != 2 {
		t.Errorf("hard links: ino %d and %d, nlink %d; want one inode with 2 links", a.Ino, da.Ino, a.Nlink)
	}
	if a.Uid != 1234 || a.Gid != 5678 {
		t.Errorf("owner %d:%d, want WithOwner's 1234:5678", a.Uid, a.Gid)
	}
	if a.Mode != syscall.S_IFREG|0o644 {
		t.Errorf("st_mode %#o, want %#o", a.Mode, syscall.S_IFREG|0o644)
	}
	if d := st("d", true); d.Nlink != 3 || d.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		t.Errorf("directory with one subdirectory: nlink %d mode %#o", d.Nlink, d.Mode)
	}
	if l := st("l", false); l.Ino == a.Ino || l.Mode&syscall.S_IFMT != syscall.S_IFLNK || l.Size != 1 {
		t.Errorf("symbolic link: %+v", l)
	}
	if l := st("l", true); l.Ino != a.Ino {
		t.Errorf("Stat through a link: ino %d, want %d", l.Ino, a.Ino)
	}
	seen := map[uint64]string{}
	for _, n := range []string{".", "a", "d", "d/s", "l"} {
		ino := st(n, false).Ino
		if prev, ok := seen[ino]; ok {
			t.Errorf("%s and %s share inode %d", prev, n, ino)
		}
		seen[ino] = n
	}
	f, err := m.Open("a")
	memMust(t, err)
	defer f.Close()
	fi, err := f.Stat()
	memMust(t, err)
	if s := fi.Sys().(*syscall.Stat_t); s.Ino != a.Ino {
		t.Errorf("File.Stat ino %d, want %d", s.Ino, a.Ino)
	}
}

func TestMemConcurrent(t *testing.T) {
	m := NewMem()
	memMust(t, m.Mkdir("d", 0o755))
	const writers, rounds = 8, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			name := fmt.Sprintf("d/f%d", w)
			want := bytes.Repeat([]byte{byte('a' + w)}, 100)
			for i := range rounds {
				tmp := fmt.Sprintf("%s.%d.tmp", name, i)
				f, err := m.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
				if err != nil {
					t.Error(err)
					return
				}
				for off := 0; off < len(want); off += 10 {
					if _, err := f.Write(want[off : off+10]); err != nil {
						t.Error(err)
					}
				}
				if err := f.Sync(); err != nil {
					t.Error(err)
				}
				if err := f.Close(); err != nil {
					t.Error(err)
				}
				if err := m.Rename(tmp, name); err != nil {
					t.Error(err)
				}
				if b, err := ReadFile(m, name); err != nil || !bytes.Equal(b, want) {
					t.Errorf("%s: %q, %v", name, b, err)
				}
				if _, err := m.ReadDir("d"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	ents, err := m.ReadDir("d")
	memMust(t, err)
	if len(ents) != writers {
		t.Errorf("%d entries in d, want %d", len(ents), writers)
	}
	// Each writer's ops are in its own order in the log.
	for w := range writers {
		name := fmt.Sprintf("d/f%d", w)
		renames := 0
		for _, op := range m.Log() {
			if op.Kind == OpRename && op.NewPath == name {
				if want := fmt.Sprintf("%s.%d.tmp", name, renames); op.Path != want {
					t.Errorf("rename #%d onto %s is from %s, want %s", renames, name, op.Path, want)
				}
				renames++
			}
		}
		if renames != rounds {
			t.Errorf("%d renames onto %s logged, want %d", renames, name, rounds)
		}
	}
}

func TestMemRenameNoReplace(t *testing.T) {
	m := NewMem()
	memWrite(t, m, "a", "a")
	memWrite(t, m, "b", "b")
	memMust(t, m.Mkdir("d", 0o755))
	err := m.RenameNoReplace("a", "b")
	wantErrno(t, "onto a file", err, syscall.EEXIST)
	var le *os.LinkError
	if !errors.As(err, &le) || le.Op != "rename" || le.Old != "a" || le.New != "b" {
		t.Errorf("error %#v, want *os.LinkError{rename a b}", err)
	}
	wantErrno(t, "onto a directory", m.RenameNoReplace("a", "d"), syscall.EEXIST)
	wantErrno(t, "onto itself", m.RenameNoReplace("a", "a"), syscall.EEXIST)
	wantErrno(t, "onto \".\"", m.RenameNoReplace("a", "d/."), syscall.EEXIST)
	wantErrno(t, "from missing", m.RenameNoReplace("missing", "c"), syscall.ENOENT)
	if b, _ := ReadFile(m, "b"); string(b) != "b" {
		t.Errorf("b after a refused rename: %q", b)
	}
	n := len(m.Log())
	memMust(t, m.RenameNoReplace("a", "c"))
	if _, err := m.Lstat("a"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a still there after its rename: %v", err)
	}
	if b, _ := ReadFile(m, "c"); string(b) != "a" {
		t.Errorf("c: %q", b)
	}
	if ops := m.Log()[n:]; len(ops) != 1 || ops[0].Kind != OpRename || ops[0].Path != "a" || ops[0].NewPath != "c" {
		t.Errorf("logged %v, want one rename a -> c", ops)
	}
}

func TestMemLchown(t *testing.T) {
	m := NewMem(WithOwner(0, 0))
	memWrite(t, m, "a", "x")
	memMust(t, m.Symlink("a", "l"))
	memMust(t, m.Lchown("l", 10, 20))
	owner := func(name string, follow bool) (uint32, uint32) {
		stat := m.Lstat
		if follow {
			stat = m.Stat
		}
		fi, err := stat(name)
		memMust(t, err)
		s := fi.Sys().(*syscall.Stat_t)
		return s.Uid, s.Gid
	}
	if u, g := owner("l", false); u != 10 || g != 20 {
		t.Errorf("link owner %d:%d, want 10:20", u, g)
	}
	if u, g := owner("a", true); u != 0 || g != 0 {
		t.Errorf("Lchown changed the target to %d:%d", u, g)
	}
	memMust(t, m.Lchown("l", -1, 30))
	if u, g := owner("l", false); u != 10 || g != 30 {
		t.Errorf("Lchown -1: %d:%d, want 10:30", u, g)
	}
	memMust(t, m.Lchown("a", 7, -1)) // on a file, like Chown
	if u, _ := owner("a", true); u != 7 {
		t.Errorf("Lchown of a file: uid %d", u)
	}
	wantErrno(t, "Lchown of nothing", m.Lchown("missing", 1, 1), syscall.ENOENT)
	last := m.Log()[len(m.Log())-1]
	if last.Kind != OpChown || last.Path != "a" {
		t.Errorf("last op %v, want chown a", last)
	}
}

func TestMemChtimes(t *testing.T) {
	m := NewMem()
	memWrite(t, m, "a", "x")
	memMust(t, m.Symlink("a", "l"))
	n := len(m.Log())
	when := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	memMust(t, m.Chtimes("l", time.Time{}, when))
	fi, err := m.Stat("a")
	memMust(t, err)
	if !fi.ModTime().Equal(when) {
		t.Errorf("ModTime %v, want %v (through the link)", fi.ModTime(), when)
	}
	memMust(t, m.Chtimes("a", time.Now(), time.Time{})) // zero: leave it
	if fi, _ := m.Stat("a"); !fi.ModTime().Equal(when) {
		t.Errorf("a zero mtime changed ModTime to %v", fi.ModTime())
	}
	if len(m.Log()) != n {
		t.Errorf("Chtimes logged %v: times are outside the crash model", m.Log()[n:])
	}
	wantErrno(t, "Chtimes of nothing", m.Chtimes("missing", when, when), syscall.ENOENT)
	// A write moves the time on again.
	f, err := m.OpenFile("a", os.O_WRONLY, 0)
	memMust(t, err)
	_, err = f.Write([]byte("y"))
	memMust(t, err)
	memMust(t, f.Close())
	if fi, _ := m.Stat("a"); !fi.ModTime().After(when) {
		t.Errorf("ModTime after a write: %v", fi.ModTime())
	}
}

func TestMemUmaskAndOwner(t *testing.T) {
	m := NewMem(WithUmask(0o077), WithOwner(42, 43))
	if m.Umask() != 0o077 || Umask(m) != 0o077 {
		t.Errorf("Umask() = %v", m.Umask())
	}
	memWrite(t, m, "a", "x")
	memMust(t, m.MkdirAll("d/e", 0o777))
	for name, want := range map[string]fs.FileMode{"a": 0o600, "d": fs.ModeDir | 0o700, "d/e": fs.ModeDir | 0o700} {
		fi, err := m.Stat(name)
		memMust(t, err)
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode(), want)
		}
		if s := fi.Sys().(*syscall.Stat_t); s.Uid != 42 || s.Gid != 43 {
			t.Errorf("%s: owner %d:%d", name, s.Uid, s.Gid)
		}
	}
}
