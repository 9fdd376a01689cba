//go:build linux

package conformance

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/crashcheck/crashcheck/faultfs"
)

// Case is one filesystem behaviour: a sequence of steps, each recorded
// with its result, then a listing of the tree (added by Run).
type Case struct {
	Name   string
	OSOnly bool   // Root sandboxes this behaviour away: compare with OS only
	Root   bool   // needs the privileges of root (chown to other owners) where the filesystem checks permissions
	Skip   string // a known disagreement, not fixed yet: why
	Run    func(e *Env)
}

// Line is one step of a transcript: what Root must agree with, and the
// detail (error type and op) that OS must agree with as well.
type Line struct {
	Short, Detail string
}

// Env is the filesystem a case runs on and the transcript it writes.
// Cases name files relative to the case's own directory; p turns such a
// name into the one the filesystem takes.
type Env struct {
	target Target
	fsys   faultfs.FS
	prefix string // prepended to every name
	abs    string // what an absolute name of the case's directory starts with
	lines  []Line
}

func (e *Env) p(name string) string {
	if e.prefix == "" || name == "" {
		return name
	}
	return e.prefix + name
}

// absName is the absolute form of a case-relative name: a symbolic link to
// it stays inside the case's directory. Root has none; cases that use it
// are osOnly.
func (e *Env) absName(name string) string { return e.abs + name }

// unabs replaces the case's absolute directory in s by "/", so that link
// targets read back the same on OS and Mem.
func (e *Env) unabs(s string) string {
	if e.abs == "/" || e.abs == "" {
		return s
	}
	return strings.ReplaceAll(s, e.abs, "/")
}

func (e *Env) add(short, detail string) {
	short, detail = e.unabs(short), e.unabs(detail)
	e.lines = append(e.lines, Line{Short: short, Detail: detail})
}

// res records step with its result.
func (e *Env) res(step string, err error) {
	short, detail := errString(err)
	e.add(step+": "+short, step+": "+detail)
}

// resv records step with a value shown on success, and its result.
func (e *Env) resv(step, val string, err error) {
	short, detail := errString(err)
	if err == nil || val != "" {
		short, detail = val+" "+short, val+" "+detail
	}
	e.add(step+": "+short, step+": "+detail)
}

// note records a line the case computed itself.
func (e *Env) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	e.add(s, s)
}

// errString prints an error as the transcript shows it: the errno's symbol
// (or the sentinel it is), and for the detailed form the error's type and
// op as well.
func errString(err error) (short, detail string) {
	if err == nil {
		return "ok", "ok"
	}
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		short = faultfs.ErrnoName(errno)
		if short == "" {
			short = fmt.Sprintf("errno(%d)", int(errno))
		}
	case errors.Is(err, os.ErrClosed):
		short = "ErrClosed"
	case errors.Is(err, io.EOF):
		short = "EOF"
	default:
		var pe *fs.PathError
		var le *os.LinkError
		switch {
		case errors.As(err, &pe):
			short = fmt.Sprintf("%q", pe.Err.Error())
		case errors.As(err, &le):
			short = fmt.Sprintf("%q", le.Err.Error())
		default:
			short = fmt.Sprintf("%q", err.Error())
		}
	}
	switch x := err.(type) {
	case *fs.PathError:
		detail = fmt.Sprintf("%s (PathError %s)", short, x.Op)
	case *os.LinkError:
		detail = fmt.Sprintf("%s (LinkError %s)", short, x.Op)
	case *os.SyscallError:
		detail = fmt.Sprintf("%s (SyscallError %s)", short, x.Syscall)
	default:
		detail = fmt.Sprintf("%s (%T)", short, err)
	}
	return short, detail
}

// infoString prints what a FileInfo says that both filesystems must agree
// on: name, mode, size (not of directories, whose size is the filesystem's
// business), link count and owner.
func infoString(fi fs.FileInfo) string {
	s := fmt.Sprintf("name=%s mode=%v", fi.Name(), fi.Mode())
	if !fi.IsDir() {
		s += fmt.Sprintf(" size=%d", fi.Size())
	}
	if fi.IsDir() != fi.Mode().IsDir() {
		s += " IsDir-disagrees"
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s += fmt.Sprintf(" nlink=%d uid=%d gid=%d", st.Nlink, st.Uid, st.Gid)
		if st.Rdev != 0 {
			s += fmt.Sprintf(" rdev=%#x", st.Rdev)
		}
		if st.Mode&syscall.S_IFMT != faultfs.StatMode(fi.Mode())&syscall.S_IFMT || st.Mode&0o7777 != faultfs.StatMode(fi.Mode())&0o7777 {
			s += fmt.Sprintf(" st_mode=%#o", st.Mode)
		}
	} else {
		s += fmt.Sprintf(" sys=%T", fi.Sys())
	}
	return s
}

// The steps. Each performs one call and records it; those returning a
// File return nil when the call failed.

func (e *Env) open(name string, flag int, perm fs.FileMode) faultfs.File {
	f, err := e.fsys.OpenFile(e.p(name), flag, perm)
	e.res(fmt.Sprintf("open %s %s %#o", name, faultfs.FlagString(flag), uint32(perm)), err)
	return f
}

func (e *Env) writeFile(name, data string) {
	e.res(fmt.Sprintf("writefile %s %q", name, data), faultfs.WriteFile(e.fsys, e.p(name), []byte(data), 0o644))
}

func (e *Env) readFile(name string) {
	b, err := faultfs.ReadFile(e.fsys, e.p(name))
	e.resv("readfile "+name, fmt.Sprintf("%q", b), err)
}

func (e *Env) write(f faultfs.File, data string) {
	if f == nil {
		e.note("write: no file")
		return
	}
	n, err := f.Write([]byte(data))
	e.resv(fmt.Sprintf("write %q", data), fmt.Sprintf("n=%d", n), err)
}

func (e *Env) writeAt(f faultfs.File, data string, off int64) {
	if f == nil {
		e.note("writeat: no file")
		return
	}
	n, err := f.WriteAt([]byte(data), off)
	e.resv(fmt.Sprintf("writeat %q off=%d", data, off), fmt.Sprintf("n=%d", n), err)
}

func (e *Env) read(f faultfs.File, size int) {
	if f == nil {
		e.note("read: no file")
		return
	}
	b := make([]byte, size)
	n, err := f.Read(b)
	e.resv(fmt.Sprintf("read %d", size), fmt.Sprintf("n=%d %q", n, b[:max(n, 0)]), err)
}

func (e *Env) readAt(f faultfs.File, size int, off int64) {
	if f == nil {
		e.note("readat: no file")
		return
	}
	b := make([]byte, size)
	n, err := f.ReadAt(b, off)
	e.resv(fmt.Sprintf("readat %d off=%d", size, off), fmt.Sprintf("n=%d %q", n, b[:max(n, 0)]), err)
}

func (e *Env) seek(f faultfs.File, off int64, whence int) {
	if f == nil {
		e.note("seek: no file")
		return
	}
	pos, err := f.Seek(off, whence)
	e.resv(fmt.Sprintf("seek %d whence=%d", off, whence), fmt.Sprintf("pos=%d", pos), err)
}

func (e *Env) truncate(f faultfs.File, size int64) {
	if f == nil {
		e.note("truncate: no file")
		return
	}
	e.res(fmt.Sprintf("ftruncate %d", size), f.Truncate(size))
}

func (e *Env) fstat(f faultfs.File) {
	if f == nil {
		e.note("fstat: no file")
		return
	}
	fi, err := f.Stat()
	if err != nil {
		e.res("fstat", err)
		return
	}
	// A handle's Name differs between Root (the joined path) and the
	// others; what matters is the rest.
	e.resv("fstat", strings.SplitN(infoString(fi), " ", 2)[1], nil)
}

func (e *Env) fsync(f faultfs.File) {
	if f == nil {
		e.note("fsync: no file")
		return
	}
	e.res("fsync", f.Sync())
}

func (e *Env) close(f faultfs.File) {
	if f == nil {
		e.note("close: no file")
		return
	}
	e.res("close", f.Close())
}

func (e *Env) fchmod(f faultfs.File, mode fs.FileMode) {
	if f == nil {
		e.note("fchmod: no file")
		return
	}
	e.res(fmt.Sprintf("fchmod %v", mode), f.Chmod(mode))
}
func (e *Env) fchown(f faultfs.File, uid, gid int) {
	if f == nil {
		e.note("fchown: no file")
		return
	}
	e.res(fmt.Sprintf("fchown %d %d", uid, gid), f.Chown(uid, gid))
}

func (e *Env) stat(name string) {
	fi, err := e.fsys.Stat(e.p(name))
	if err != nil {
		e.res("stat "+name, err)
		return
	}
	e.resv("stat "+name, infoString(fi), nil)
}

func (e *Env) lstat(name string) {
	fi, err := e.fsys.Lstat(e.p(name))
	if err != nil {
		e.res("lstat "+name, err)
		return
	}
	e.resv("lstat "+name, infoString(fi), nil)
}

// rename compares Mem's Rename with rename(2) rather than os.Rename: the
// os package refuses every rename onto an existing directory with EEXIST
// before asking the kernel, while Mem renames as the kernel does, because
// it also serves real programs through FUSE.
func (e *Env) rename(oldname, newname string) {
	var err error
	if !e.target.KernelRename {
		err = e.fsys.Rename(e.p(oldname), e.p(newname))
	} else {
		o, n := e.p(oldname), e.p(newname)
		if d := e.target.RootDir; d != "" {
			o, n = d+"/"+o, d+"/"+n
			if oldname == "" {
				o = ""
			}
			if newname == "" {
				n = ""
			}
		}
		if serr := syscall.Rename(o, n); serr != nil {
			err = &os.LinkError{Op: "rename", Old: o, New: n, Err: serr}
		}
	}
	e.res("rename "+oldname+" "+newname, err)
}

func (e *Env) remove(name string) { e.res("remove "+name, e.fsys.Remove(e.p(name))) }

func (e *Env) mkdir(name string, perm fs.FileMode) {
	e.res(fmt.Sprintf("mkdir %s %v", name, perm), e.fsys.Mkdir(e.p(name), perm))
}

func (e *Env) mkdirAll(name string, perm fs.FileMode) {
	e.res(fmt.Sprintf("mkdirall %s %v", name, perm), e.fsys.MkdirAll(e.p(name), perm))
}

func (e *Env) symlink(target, name string) {
	e.res("symlink "+target+" "+name, e.fsys.Symlink(target, e.p(name)))
}

func (e *Env) link(oldname, newname string) {
	e.res("link "+oldname+" "+newname, e.fsys.Link(e.p(oldname), e.p(newname)))
}

func (e *Env) readlink(name string) {
	s, err := e.fsys.Readlink(e.p(name))
	e.resv("readlink "+name, fmt.Sprintf("%q", e.unabs(s)), err)
}

// mknod makes a special file through faultfs.Mknod (mknod(2) on OS).
func (e *Env) mknod(name string, mode fs.FileMode, dev uint64) {
	e.res(fmt.Sprintf("mknod %s %v %#x", name, mode, dev), faultfs.Mknod(e.fsys, e.p(name), mode, dev))
}

func (e *Env) chmod(name string, mode fs.FileMode) {
	e.res(fmt.Sprintf("chmod %s %v", name, mode), e.fsys.Chmod(e.p(name), mode))
}

func (e *Env) chown(name string, uid, gid int) {
	e.res(fmt.Sprintf("chown %s %d %d", name, uid, gid), e.fsys.Chown(e.p(name), uid, gid))
}

func (e *Env) readDir(name string) {
	ents, err := e.fsys.ReadDir(e.p(name))
	var b strings.Builder
	for _, d := range ents {
		fi, ierr := d.Info()
		if ierr != nil {
			fmt.Fprintf(&b, "[%s %v info:%v]", d.Name(), d.Type(), ierr)
			continue
		}
		if fi.Name() != d.Name() || fi.Mode().Type() != d.Type() || d.IsDir() != fi.IsDir() {
			fmt.Fprintf(&b, "[%s disagrees with its info %s]", d.Name(), infoString(fi))
		}
		fmt.Fprintf(&b, "[%s %v]", d.Name(), d.Type())
	}
	e.resv("readdir "+name, b.String(), err)
}

// tree records every entry below the case's directory: kind, mode, size,
// link count, owner, and a file's content or a link's target; and the
// directory's own mode and link count.
func (e *Env) tree() {
	fi, err := e.fsys.Stat(e.p("."))
	if err != nil {
		e.res("tree", err)
		return
	}
	e.note("tree . %s", strings.SplitN(infoString(fi), " ", 2)[1])
	e.walk("")
}

func (e *Env) walk(dir string) {
	name := dir
	if name == "" {
		name = "."
	}
	ents, err := e.fsys.ReadDir(e.p(name))
	if err != nil {
		e.res("tree readdir "+name, err)
		return
	}
	for _, d := range ents {
		rel := path.Join(dir, d.Name())
		fi, err := e.fsys.Lstat(e.p(rel))
		if err != nil {
			e.res("tree lstat "+rel, err)
			continue
		}
		info := strings.SplitN(infoString(fi), " ", 2)[1]
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := e.fsys.Readlink(e.p(rel))
			// A link's size is its target's length: absolute targets
			// differ in length between OS and Mem.
			info = strings.Replace(info, fmt.Sprintf(" size=%d", fi.Size()), "", 1)
			e.resv("tree "+rel, info+" -> "+e.unabs(target), err)
		case fi.IsDir():
			e.note("tree %s/ %s", rel, info)
			e.walk(rel)
		case fi.Mode()&(fs.ModeNamedPipe|fs.ModeSocket|fs.ModeDevice) != 0:
			// Opening a FIFO would wait for a writer, a device opens
			// the device: list a special file, never read it.
			e.note("tree %s %s", rel, info)
		default:
			b, err := faultfs.ReadFile(e.fsys, e.p(rel))
			e.resv("tree "+rel, fmt.Sprintf("%s %q", info, b), err)
		}
	}
}
