//go:build linux || darwin

package faultfs

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var updateCrashGolden = flag.Bool("update", false, "rewrite the expected output in testdata/crash/*.txt")

// TestCrashGolden runs the scripts in testdata/crash, one per rule of the
// persistence-model table in the package doc. A script is one command per
// line, run on a fresh Mem (owner 1000:1000, umask 022):
//
//	# a comment
//	mkdir DIR                 put DATA DIR/FILE: set up (before durable)
//	put PATH DATA             write a whole file (create, write, close)
//	durable                   MakeDurable: what came before is the durable state
//	create PATH               create PATH, which must not exist, and open it read-write
//	open PATH                 open PATH read-write
//	open-trunc PATH           open PATH read-write, truncating it (O_TRUNC)
//	write PATH OFF DATA       write at OFF through PATH's open handle
//	truncate PATH SIZE        truncate through the handle
//	open-sync PATH            open PATH read-write with O_SYNC (open-dsync: O_DSYNC)
//	sync PATH                 fsync the handle
//	datasync PATH             fdatasync the handle (Datasync)
//	fail-sync PATH            an fsync that fails with EIO (SyncFailer)
//	close PATH                close the handle
//	syncdir DIR               open DIR and fsync it
//	rename OLD NEW | unlink PATH | link OLD NEW | symlink TARGET PATH
//	chmod PATH MODE | chown PATH UID GID
//	ack LABEL                 an acknowledgement mark (Ack)
//	log                       print the history: crash point k is after op #k-1
//	crash MODEL POINT         print the acks made before that crash point, and every state there
//
// DATA is Go-quoted strings and repeated bytes joined by +, such as
// "abc"+'x'*512, the form states are printed in. The output of log and
// crash follows the command after a line "----", up to a blank line. The
// states of a crash are printed as a set (sorted, each distinct tree once),
// and must also be exactly the states the brute-force reference of
// crash_reference_test.go allows. Run with -update to rewrite the outputs.
func TestCrashGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "crash", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scripts in testdata/crash")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := runCrashScript(t, file, string(text))
			if *updateCrashGolden {
				if got != string(text) {
					if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			if got != string(text) {
				t.Errorf("%s: output differs (run with -update to accept):\n%s", file, goldenDiff(string(text), got))
			}
		})
	}
}

// runCrashScript runs a script and returns its text with every output
// block replaced by what the run printed.
func runCrashScript(t *testing.T, file, text string) string {
	m := NewMem(WithOwner(1000, 1000), WithUmask(0o022))
	handles := map[string]File{}
	var h *History
	history := func() *History {
		if h == nil {
			h = m.History()
		}
		return h
	}
	var out strings.Builder
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		out.WriteString(line + "\n")
		fail := func(format string, args ...any) {
			t.Fatalf("%s:%d: %s: %s", file, i+1, line, fmt.Sprintf(format, args...))
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// Skip the recorded output of this command, if any.
		if i+1 < len(lines) && lines[i+1] == "----" {
			i++
			for i+1 < len(lines) && lines[i+1] != "" {
				i++
			}
		}
		args := strings.Fields(line)
		handle := func() File {
			f := handles[args[1]]
			if f == nil {
				fail("no open handle for %s", args[1])
			}
			return f
		}
		num := func(s string) int64 {
			n, err := strconv.ParseInt(s, 0, 64)
			if err != nil {
				fail("%v", err)
			}
			return n
		}
		want := map[string]int{
			"mkdir": 2, "put": 3, "durable": 1, "create": 2, "open": 2, "open-trunc": 2, "write": 4, "truncate": 3,
			"open-sync": 2, "open-dsync": 2, "datasync": 2, "ack": 2,
			"sync": 2, "fail-sync": 2, "close": 2, "syncdir": 2, "rename": 3, "unlink": 2,
			"link": 3, "symlink": 3, "chmod": 3, "chown": 4, "log": 1, "crash": 3,
		}
		n, known := want[args[0]]
		if !known {
			fail("unknown command")
		}
		if args[0] == "put" || args[0] == "write" {
			args = strings.SplitN(line, " ", n)
		}
		if len(args) != n {
			fail("want %d arguments", n-1)
		}
		if args[0] != "log" && args[0] != "crash" {
			h = nil // the history grows
		}
		var err error
		switch args[0] {
		case "mkdir":
			err = m.Mkdir(args[1], 0o755)
		case "put":
			var data []byte
			if data, err = parseGoldenData(args[2]); err == nil {
				err = WriteFile(m, args[1], data, 0o644)
			}
		case "durable":
			m.MakeDurable()
		case "create", "open", "open-trunc", "open-sync", "open-dsync":
			flag := map[string]int{"create": os.O_RDWR | os.O_CREATE | os.O_EXCL,
				"open": os.O_RDWR, "open-trunc": os.O_RDWR | os.O_TRUNC,
				"open-sync": os.O_RDWR | os.O_SYNC, "open-dsync": os.O_RDWR | oDSYNC}[args[0]]
			var f File
			if f, err = m.OpenFile(args[1], flag, 0o644); err == nil {
				handles[args[1]] = f
			}
		case "write":
			var data []byte
			if data, err = parseGoldenData(args[3]); err == nil {
				_, err = handle().WriteAt(data, num(args[2]))
			}
		case "truncate":
			err = handle().Truncate(num(args[2]))
		case "sync":
			err = handle().Sync()
		case "datasync":
			err = Datasync(handle())
		case "ack":
			err = Ack(m, args[1])
		case "fail-sync":
			eio := errors.New("EIO")
			if err = handle().(SyncFailer).FailSync(eio); err == eio {
				err = nil
			} else {
				err = fmt.Errorf("FailSync returned %v, want EIO", err)
			}
		case "close":
			err = handle().Close()
			delete(handles, args[1])
		case "syncdir":
			err = SyncDir(m, args[1])
		case "rename":
			err = m.Rename(args[1], args[2])
		case "unlink":
			err = m.Remove(args[1])
		case "link":
			err = m.Link(args[1], args[2])
		case "symlink":
			err = m.Symlink(args[1], args[2])
		case "chmod":
			err = m.Chmod(args[1], fs.FileMode(num(args[2])))
		case "chown":
			err = m.Chown(args[1], int(num(args[2])), int(num(args[3])))
		case "log":
			out.WriteString("----\n")
			for _, op := range history().Ops() {
				fmt.Fprintf(&out, "%v\n", op)
			}
			out.WriteString("\n")
		case "crash":
			model, err := ParseModel(args[1])
			if err != nil {
				fail("%v", err)
			}
			point := int(num(args[2]))
			if point < 0 || point >= history().Points() {
				fail("crash point out of range 0..%d", history().Points()-1)
			}
			out.WriteString("----\n")
			for _, a := range history().AcksBefore(point) {
				fmt.Fprintf(&out, "acked #%d %s\n", a.Op, a.Label)
			}
			out.WriteString(goldenStates(t, history(), model, point, fail))
			out.WriteString("\n")
		}
		if err != nil {
			fail("%v", err)
		}
		// Keep exactly one blank line after an output block.
		if (args[0] == "log" || args[0] == "crash") && i+1 < len(lines) && lines[i+1] == "" {
			i++
		}
	}
	return out.String()
}

// goldenStates prints the distinct states at a crash point, sorted, and
// checks them against the reference.
func goldenStates(t *testing.T, h *History, model Model, point int, fail func(string, ...any)) string {
	states, st := enumCanon(t, h, model, point, EnumOptions{})
	set := map[string]bool{}
	for _, s := range states {
		set[s] = true
	}
	if ref := refStates(h, model.Name(), point); ref == nil {
		fail("too many states for the reference: make the script smaller")
	} else if d := diffSets(ref, set); d != "" {
		fail("Enumerate disagrees with the reference:\n%s", d)
	}
	var b strings.Builder
	exh := "exhaustive"
	if !st.Exhaustive {
		exh = "NOT exhaustive"
	}
	fmt.Fprintf(&b, "%d states, %s\n", len(set), exh)
	for _, s := range sortedKeys(set) {
		b.WriteString("state\n")
		for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

// parseGoldenData reads "abc"+'x'*512: quoted strings and repeated quoted
// bytes joined by +.
func parseGoldenData(s string) ([]byte, error) {
	var out []byte
	s = strings.TrimSpace(s)
	for s != "" {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return nil, fmt.Errorf("bad data %q: %v", s, err)
		}
		v, _ := strconv.Unquote(q)
		s = s[len(q):]
		if q[0] == '\'' {
			if !strings.HasPrefix(s, "*") {
				return nil, fmt.Errorf("bad data: %s must be followed by *COUNT", q)
			}
			s = s[1:]
			end := strings.IndexByte(s, '+')
			if end < 0 {
				end = len(s)
			}
			n, err := strconv.Atoi(s[:end])
			if err != nil {
				return nil, fmt.Errorf("bad data: count %q", s[:end])
			}
			s = s[end:]
			r := []rune(v)[0]
			out = append(out, slices.Repeat([]byte{byte(r)}, n)...)
		} else {
			out = append(out, v...)
		}
		if s != "" {
			if s[0] != '+' {
				return nil, fmt.Errorf("bad data: want + before %q", s)
			}
			s = s[1:]
		}
	}
	return out, nil
}

// goldenDiff shows the first lines where two texts differ, with context.
func goldenDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "from line %d:\n", i+1)
	for j := i; j < i+12; j++ {
		if j < len(w) {
			fmt.Fprintf(&b, "-%s\n", w[j])
		}
	}
	for j := i; j < i+12; j++ {
		if j < len(g) {
			fmt.Fprintf(&b, "+%s\n", g[j])
		}
	}
	return b.String()
}
