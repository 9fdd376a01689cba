//go:build linux

package cli

import (
	"errors"
	"flag"
	"strings"
	"testing"
	"time"
)

func TestParseModels(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want: the models' names joined by ",", or the error's text
		ok       bool
	}{
		{"posix", "posix", true},
		{"posix,ext4-ordered", "posix,ext4-ordered", true},
		{"ext4-ordered,posix", "ext4-ordered,posix", true},
		{"posix,posix", "posix", true},
		{"all", "process,posix,ext4-ordered,xfs,btrfs", true},
		{"process,posix,ext4-ordered", "process,posix,ext4-ordered", true},
		{"ext3", `bad -model ext3: unknown model "ext3" (want process|posix|ext4-ordered|xfs|btrfs, a comma-separated list of them, or all)`, false},
		{"posix,ext3", `bad -model posix,ext3: unknown model "ext3"`, false},
		{"", `bad -model "": an empty model name`, false},
		{"posix,", `bad -model posix,: an empty model name`, false},
		{"all,posix", `bad -model all,posix: all stands alone`, false},
		{"POSIX", `unknown model "POSIX"`, false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			ms, err := parseModels(tt.in)
			if !tt.ok {
				var u *usageError
				if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("parseModels(%q) = %v, %v; want a usage error containing %q", tt.in, ms, err, tt.want)
				}
				return
			}
			var names []string
			for _, m := range ms {
				names = append(names, m.Name())
			}
			if err != nil || strings.Join(names, ",") != tt.want {
				t.Fatalf("parseModels(%q) = %v, %v; want %s", tt.in, names, err, tt.want)
			}
		})
	}
}

func TestModelNames(t *testing.T) {
	for in, want := range map[string]string{"posix": "posix", "ext4-ordered,posix": "ext4-ordered,posix", "all": "all", "posix,process,ext4-ordered": "posix,process,ext4-ordered", "btrfs,posix,process,ext4-ordered,xfs": "all"} {
		ms, err := parseModels(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := modelNames(ms); got != want {
			t.Errorf("modelNames(parseModels(%q)) = %q, want %q", in, got, want)
		}
	}
}

// TestParseFlags: every way a flag can be wrong comes back as one line
// naming the flag; -h as flag.ErrHelp; the values still parse after.
func TestParseFlags(t *testing.T) {
	newFS := func() *flag.FlagSet {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.Int("runs", 0, "")
		fs.Uint64("seed", 0, "")
		fs.Bool("v", false, "")
		fs.Duration("timeout", time.Second, "")
		fs.String("json", "", "")
		return fs
	}
	for _, tt := range []struct {
		args []string
		want string // "" for no error
	}{
		{[]string{"-runs", "3", "-v", "-timeout", "2s"}, ""},
		{[]string{"-runs", "x"}, "bad -runs x: want an integer"},
		{[]string{"--runs=x"}, "bad -runs x: want an integer"},
		{[]string{"-runs", "99999999999999999999"}, "bad -runs 99999999999999999999: out of range"},
		{[]string{"-seed", "-1"}, "bad -seed -1: want an unsigned integer"},
		{[]string{"-v=maybe"}, "bad -v maybe: want true or false"},
		{[]string{"-timeout", "soon"}, "bad -timeout soon: want a duration such as 30s, 5m or 1h"},
		{[]string{"-timeout", "two seconds"}, `bad -timeout "two seconds": want a duration`},
		{[]string{"-bogus"}, "unknown flag -bogus"},
		{[]string{"-json"}, "flag -json needs a value"},
		{[]string{"-v", "extra"}, "unexpected argument extra (every input is a flag)"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fs := newFS()
			err := parseFlags(fs, tt.args, false)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if flagValue[int](fs, "runs") != 3 || !flagValue[bool](fs, "v") || flagValue[time.Duration](fs, "timeout") != 2*time.Second {
					t.Errorf("values not parsed: runs %v, v %v, timeout %v", flagValue[int](fs, "runs"), flagValue[bool](fs, "v"), flagValue[time.Duration](fs, "timeout"))
				}
				return
			}
			var u *usageError
			if !errors.As(err, &u) || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("parseFlags(%q) = %v, want one line starting %q", tt.args, err, tt.want)
			}
		})
	}
	if err := parseFlags(newFS(), []string{"-h"}, false); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h gives %v, want flag.ErrHelp", err)
	}
}

// TestPrintUsageAfterParse: the usage printed after a parse shows each
// flag's own type and default (the wrapping used to name a failing flag
// is gone by then).
func TestPrintUsageAfterParse(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.Duration("timeout", time.Minute, "kill after this long")
	fs.Bool("v", false, "verbose")
	_ = parseFlags(fs, []string{"-timeout", "x"}, false)
	var b strings.Builder
	printUsage(&b, "usage: x\n", fs)
	want := "usage: x\n  -timeout duration\n    \tkill after this long (default 1m0s)\n  -v\tverbose\n"
	if b.String() != want {
		t.Errorf("usage:\n%s\nwant:\n%s", b.String(), want)
	}
}
