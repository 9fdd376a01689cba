package faultfs

import (
	"fmt"
	"os"
	"syscall"
	"testing"
)

func TestInjectMatch(t *testing.T) {
	write := Op{Kind: OpWrite, Path: "dir/f.tmp"}
	rename := Op{Kind: OpRename, Path: "dir/f.tmp", NewPath: "dir/f"}
	syncDir := Op{Kind: OpSyncDir, Path: "dir"}
	root := Op{Kind: OpStat, Path: "/abs/x.tmp"}
	tests := []struct {
		name  string
		match Match
		op    Op
		want  bool
	}{
		{"kinds-one", Kinds(OpWrite), write, true},
		{"kinds-other", Kinds(OpWrite), rename, false},
		{"kinds-several", Kinds(OpSync, OpSyncDir), syncDir, true},
		{"kinds-none", Kinds(), write, false},
		{"path-base", PathMatch("*.tmp"), write, true},
		{"path-base-absolute", PathMatch("*.tmp"), root, true},
		{"path-base-no", PathMatch("*.tmp"), syncDir, false},
		{"path-base-whole-name", PathMatch("f"), Op{Path: "dir/f"}, true},
		{"path-base-not-a-prefix", PathMatch("f"), Op{Path: "dir/f.tmp"}, false},
		{"path-slash-full", PathMatch("dir/*.tmp"), write, true},
		{"path-slash-not-base", PathMatch("dir/*.tmp"), Op{Path: "other/dir/f.tmp"}, false},
		{"path-slash-absolute", PathMatch("/abs/*"), root, true},
		{"path-is-not-newpath", PathMatch("f"), rename, false},
		{"newpath", NewPathMatch("f"), rename, true},
		{"newpath-empty", NewPathMatch("f"), write, false},
		{"and", And(Kinds(OpWrite), PathMatch("*.tmp")), write, true},
		{"and-one-fails", And(Kinds(OpWrite), PathMatch("*.tmp")), rename, false},
		{"and-empty", And(), rename, true},
		{"or", Or(Kinds(OpSyncDir), PathMatch("*.tmp")), syncDir, true},
		{"or-none", Or(Kinds(OpSyncDir), PathMatch("*.go")), write, false},
		{"or-empty", Or(), write, false},
		{"not", Not(Kinds(OpWrite)), rename, true},
		{"not-no", Not(Kinds(OpWrite)), write, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.match(tt.op); got != tt.want {
				t.Errorf("match(%v) = %v, want %v", tt.op, got, tt.want)
			}
		})
	}
}

func TestInjectPathMatchBadPattern(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Error("PathMatch(\"[\") did not panic")
		}
	}()
	PathMatch("[")
}

// TestInjectTriggers runs a fixed workload with one fault and checks which
// op it fires at. The match sees ops before they run, with Off filled.
func TestInjectTriggers(t *testing.T) {
	// The workload's ops, by index:
	//   0 open f.tmp  1 write  2 write  3 fsync  4 close  5 rename f.tmp -> f
	//   6 open .  7 fsyncdir  8 close  9 stat f
	tests := []struct {
		name string
		when Trigger
		want int // the index it fires at, -1 for none
	}{
		{"index-0", OnIndex(0), 0},
		{"index-7", OnIndex(7), 7},
		{"index-past-end", OnIndex(10), -1},
		{"index-negative", OnIndex(-1), -1},
		{"nth-any", OnNth(4, nil), 3},
		{"nth-kind", OnNth(2, Kinds(OpWrite)), 2},
		{"nth-kind-too-far", OnNth(3, Kinds(OpWrite)), -1},
		{"nth-zero", OnNth(0, Kinds(OpWrite)), -1},
		{"nth-path", OnNth(2, PathMatch("f.tmp")), 1},
		{"nth-newpath", OnNth(1, NewPathMatch("f")), 5},
		{"nth-syncdir", OnNth(1, Kinds(OpSyncDir)), 7},
		{"nth-sync-is-not-syncdir", OnNth(2, Kinds(OpSync)), -1},
		{"nth-close-of-dir", OnNth(1, And(Kinds(OpClose), Not(PathMatch("f.tmp")))), 8},
		{"nth-offset", OnNth(1, func(op Op) bool { return op.Kind == OpWrite && op.Off == 5 }), 2},
		{"nth-not", OnNth(3, Not(PathMatch("f*"))), 8},
	}
	for _, kind := range injKinds {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				fx := newInjFixture(t, kind)
				inj := NewInjector(fx.fsys, Fault{When: tt.when, Do: Errno(syscall.EINTR)})
				injWorkload(fx, inj)
				fired := inj.Fired()
				trace := inj.Trace()
				wantOps := 10
				if tt.want >= 0 && trace[tt.want].Kind == OpOpen {
					wantOps++ // the workload opened again
				}
				if len(trace) != wantOps {
					t.Fatalf("the workload made %d ops, want %d:\n%v", len(trace), wantOps, trace)
				}
				switch {
				case tt.want < 0 && len(fired) != 0:
					t.Errorf("fired at %v, want never", fired)
				case tt.want >= 0 && (len(fired) != 1 || fired[0].Index != tt.want):
					t.Errorf("fired at %v, want #%d (%v)", fired, tt.want, trace[tt.want])
				}
				for _, op := range trace {
					if tt.want >= 0 && op.Index > tt.want {
						break // later ops may fail because of it
					}
					if failed := op.Err != nil; failed != (op.Index == tt.want) {
						t.Errorf("traced %v", op)
					}
				}
			})
		}
	}
}

// injWorkload replaces f by way of f.tmp, carrying on past errors (and
// retrying a failed open once), so that every run makes the same ops.
func injWorkload(fx *injFixture, fsys FS) {
	open := func(name string, flag int) File {
		f, err := fsys.OpenFile(fx.join(name), flag, 0o644)
		if err != nil {
			f, _ = fsys.OpenFile(fx.join(name), flag, 0o644)
		}
		return f
	}
	f := open("f.tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	f.Write([]byte("hello"))
	f.Write([]byte(" world"))
	f.Sync()
	f.Close()
	fsys.Rename(fx.join("f.tmp"), fx.join("f"))
	d := open(".", os.O_RDONLY)
	d.Sync()
	d.Close()
	fsys.Stat(fx.join("f"))
}

func TestInjectStrings(t *testing.T) {
	tests := []struct {
		got  fmt.Stringer
		want string
	}{
		{Errno(syscall.ENOSPC), "ENOSPC"},
		{Errno(syscall.Errno(200)), "errno 200"},
		{ShortWrite(), "short-write"},
		{TornWrite(), "torn-write"},
		{Crash(), "crash"},
		{action{}, "run"},
		{OnIndex(4), "#4"},
		{OnNth(2, nil), "op 2"},
		{OnNth(3, Kinds(OpWrite)), "match 3"},
	}
	for _, tt := range tests {
		if s := tt.got.String(); s != tt.want {
			t.Errorf("String() = %q, want %q", s, tt.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Errno(0) did not panic")
		}
	}()
	Errno(0)
}

func TestInjectSectorLengths(t *testing.T) {
	short := []struct{ n, want int }{{0, 0}, {1, 0}, {2, 1}, {3, 1}, {4096, 2048}}
	for _, tt := range short {
		if got := shortLen(tt.n); got != tt.want {
			t.Errorf("shortLen(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
	torn := []struct {
		off        int64
		n, want    int
		reasonable string
	}{
		{0, 4096, 2048, "half, on a boundary"},
		{0, 1024, 512, "one of two sectors"},
		{0, 1023, 0, "the middle is before the first boundary"},
		{-1, 4096, 2048, "unknown offset: from the data's start"},
		{512, 4096, 2048, "aligned start"},
		{100, 4096, 1948, "ends at 2048, the boundary before the middle at 2148"},
		{510, 4, 2, "the middle is on a boundary"},
		{511, 4, 1, "the boundary is before the middle"},
		{0, 0, 0, "nothing to write"},
	}
	for _, tt := range torn {
		if got := tornLen(tt.off, tt.n); got != tt.want {
			t.Errorf("tornLen(%d, %d) = %d, want %d (%s)", tt.off, tt.n, got, tt.want, tt.reasonable)
		}
	}
}
