package faultfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// OpKind names a filesystem operation. The same kinds label the injector's
// trace (every call made through an FS) and Mem's log (the operations that
// change what is on disk).
type OpKind uint8

// The operation kinds.
const (
	OpOpen       OpKind = iota + 1 // OpenFile, Open, Create
	OpCreate                       // a new file's directory entry (Mem's log)
	OpRead                         // File.Read, File.ReadAt
	OpWrite                        // File.Write, File.WriteAt
	OpSeek                         // File.Seek
	OpSync                         // File.Sync on a file
	OpSyncDir                      // File.Sync on a directory
	OpSyncFailed                   // an fsync that failed: its unsynced data is lost (Mem's log)
	OpClose                        // File.Close
	OpTruncate                     // File.Truncate, or O_TRUNC at open
	OpFstat                        // File.Stat
	OpFchmod                       // File.Chmod
	OpFchown                       // File.Chown
	OpRename                       // FS.Rename
	OpRemove                       // FS.Remove of a file or symbolic link
	OpRmdir                        // FS.Remove of a directory (Mem's log)
	OpMkdir                        // FS.Mkdir, FS.MkdirAll
	OpStat                         // FS.Stat
	OpLstat                        // FS.Lstat
	OpReadDir                      // FS.ReadDir
	OpReadlink                     // FS.Readlink
	OpSymlink                      // FS.Symlink
	OpLink                         // FS.Link
	OpChmod                        // FS.Chmod
	OpChown                        // FS.Chown
	OpAck                          // Acker.Ack: an acknowledgement mark, no change on disk
	OpDatasync                     // Datasync (fdatasync) on a file
	OpLchown                       // Lchown (the Injector's trace; Mem's log has an OpChown)
	OpChtimes                      // Chtimes (the Injector's trace; times are not in Mem's log)
	OpLchtimes                     // Lchtimes (likewise)
	OpMknod                        // Mknod: a FIFO, socket or device node's directory entry
	opKindEnd
)

var opKindNames = [...]string{
	OpOpen: "open", OpCreate: "create", OpRead: "read", OpWrite: "write",
	OpSeek: "seek", OpSync: "fsync", OpSyncDir: "fsyncdir", OpSyncFailed: "fsync-failed",
	OpClose: "close", OpTruncate: "truncate", OpFstat: "fstat", OpFchmod: "fchmod",
	OpFchown: "fchown", OpRename: "rename", OpRemove: "unlink", OpRmdir: "rmdir",
	OpMkdir: "mkdir", OpStat: "stat", OpLstat: "lstat", OpReadDir: "readdir",
	OpReadlink: "readlink", OpSymlink: "symlink", OpLink: "link", OpChmod: "chmod",
	OpChown: "chown", OpAck: "ack", OpDatasync: "fdatasync",
	OpLchown: "lchown", OpChtimes: "chtimes", OpLchtimes: "lchtimes",
	OpMknod: "mknod",
}

// String returns the kind's short name, as printed in traces.
func (k OpKind) String() string {
	if k > 0 && k < opKindEnd {
		return opKindNames[k]
	}
	return fmt.Sprintf("op(%d)", uint8(k))
}

// IsMutating reports whether an operation of kind k can change what is on
// disk (or what a crash keeps of it).
func (k OpKind) IsMutating() bool {
	switch k {
	case OpCreate, OpWrite, OpSync, OpSyncDir, OpSyncFailed, OpDatasync, OpTruncate,
		OpFchmod, OpFchown, OpRename, OpRemove, OpRmdir, OpMkdir, OpSymlink,
		OpLink, OpChmod, OpChown, OpLchown, OpChtimes, OpLchtimes, OpMknod:
		return true
	}
	return false
}

// Op is one operation as traces and reports show it.
type Op struct {
	Index   int         // position in its trace or log, from 0
	Kind    OpKind      // what was done
	Path    string      // the file or directory it was done to; ack: the label
	NewPath string      // rename and link: the new name; symlink: the link's name
	Off     int64       // read, write: the offset; truncate: the new size
	Len     int64       // read, write: the byte count asked for
	N       int64       // read, write: the byte count done
	Flag    int         // open: the flags; write: O_SYNC or O_DSYNC if the file has it; rename: RenameNoReplaceFlag
	Mode    fs.FileMode // open, mkdir, chmod: the mode
	Err     error       // the result; nil for success
}

// String returns the op's one-line form, used by every report:
//
//	#4 write .f.tmp off=0 len=4096 = ok
//	#7 rename .f.tmp -> f = ENOSPC
//	#9 ack "record 1" = ok
func (o Op) String() string {
	var b strings.Builder
	path := quoteIfNeeded(o.Path)
	if o.Kind == OpAck {
		path = fmt.Sprintf("%q", o.Path) // a label, not a name: always quoted
	}
	fmt.Fprintf(&b, "#%d %s %s", o.Index, o.Kind, path)
	switch o.Kind {
	case OpRename, OpLink, OpSymlink:
		fmt.Fprintf(&b, " -> %s", quoteIfNeeded(o.NewPath))
		if o.Kind == OpRename && o.Flag&RenameNoReplaceFlag != 0 {
			b.WriteString(" RENAME_NOREPLACE")
		}
	case OpWrite, OpRead:
		fmt.Fprintf(&b, " off=%d len=%d", o.Off, o.Len)
		if o.N != o.Len {
			fmt.Fprintf(&b, " n=%d", o.N)
		}
		if o.Kind == OpWrite && o.Flag != 0 {
			fmt.Fprintf(&b, " %s", syncFlagName(o.Flag))
		}
	case OpTruncate:
		fmt.Fprintf(&b, " size=%d", o.Off)
	case OpOpen:
		fmt.Fprintf(&b, " %s", FlagString(o.Flag))
		if o.Flag&os.O_CREATE != 0 {
			fmt.Fprintf(&b, " %#o", uint32(o.Mode.Perm()))
		}
	case OpCreate, OpMkdir, OpChmod, OpFchmod:
		fmt.Fprintf(&b, " %#o", uint32(o.Mode.Perm()))
	case OpMknod:
		fmt.Fprintf(&b, " %#o", StatMode(o.Mode))
		if o.Off != 0 {
			fmt.Fprintf(&b, " rdev=%#x", o.Off)
		}
	}
	b.WriteString(" = ")
	b.WriteString(ErrString(o.Err))
	return b.String()
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\"'\\") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// ErrString names an error the way traces print it: "ok" for nil, the
// errno's symbol (ENOSPC) when it wraps one, "CRASHED" for ErrCrashed.
func ErrString(err error) string {
	if err == nil {
		return "ok"
	}
	if errors.Is(err, ErrCrashed) {
		return "CRASHED"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name := ErrnoName(errno); name != "" {
			return name
		}
	}
	return err.Error()
}

var errnoNames = map[syscall.Errno]string{
	syscall.EIO: "EIO", syscall.ENOSPC: "ENOSPC", syscall.EDQUOT: "EDQUOT",
	syscall.EROFS: "EROFS", syscall.EACCES: "EACCES", syscall.EINTR: "EINTR",
	syscall.EXDEV: "EXDEV", syscall.ENOENT: "ENOENT", syscall.EEXIST: "EEXIST",
	syscall.ENOTDIR: "ENOTDIR", syscall.EISDIR: "EISDIR", syscall.ENOTEMPTY: "ENOTEMPTY",
	syscall.EINVAL: "EINVAL", syscall.EBADF: "EBADF", syscall.ELOOP: "ELOOP",
	syscall.EPERM: "EPERM", syscall.ENAMETOOLONG: "ENAMETOOLONG", syscall.EBUSY: "EBUSY",
	syscall.EMLINK: "EMLINK", syscall.ENOTSUP: "ENOTSUP", syscall.ENXIO: "ENXIO",
}

// ErrnoName returns the symbol of an errno (ENOSPC), or "" if unknown.
func ErrnoName(e syscall.Errno) string { return errnoNames[e] }

// FlagString prints open flags as O_WRONLY|O_CREAT|O_TRUNC.
func FlagString(flag int) string {
	var parts []string
	switch flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR) {
	case os.O_WRONLY:
		parts = append(parts, "O_WRONLY")
	case os.O_RDWR:
		parts = append(parts, "O_RDWR")
	default:
		parts = append(parts, "O_RDONLY")
	}
	for _, f := range openFlagNames {
		if f.bit != 0 && flag&f.bit == f.bit {
			parts = append(parts, f.name)
		}
	}
	if flag&os.O_SYNC != os.O_SYNC && flag&oDSYNC != 0 {
		parts = append(parts, "O_DSYNC") // on Linux, O_SYNC includes its bit
	}
	return strings.Join(parts, "|")
}

// syncWriteFlag returns the synchronous-write flag among open flags:
// os.O_SYNC (data and metadata durable at each write), O_DSYNC (data and
// the size to read it back), or 0.
func syncWriteFlag(flag int) int {
	switch {
	case flag&os.O_SYNC == os.O_SYNC:
		return os.O_SYNC
	case flag&oDSYNC != 0:
		return oDSYNC
	}
	return 0
}

// syncFlagName names the synchronous-write flag of a write: O_SYNC or O_DSYNC.
func syncFlagName(flag int) string {
	if flag&os.O_SYNC == os.O_SYNC {
		return "O_SYNC"
	}
	return "O_DSYNC"
}

// RenameNoReplaceFlag is renameat2's RENAME_NOREPLACE, as the Flag of an
// OpRename made by RenameNoReplace.
const RenameNoReplaceFlag = 1

func renameFlag(noReplace bool) int {
	if noReplace {
		return RenameNoReplaceFlag
	}
	return 0
}
