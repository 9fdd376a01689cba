package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crashcheck/crashcheck/faultfs"
	"github.com/crashcheck/crashcheck/scenarios/suite"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair, or skips the test saying why.
func openPTY(t *testing.T) (ctrl, tty *os.File) {
	t.Helper()
	ctrl, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ctrl.Close() })
	if err := unix.IoctlSetPointerInt(int(ctrl.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlocking the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ctrl.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("naming the pseudo-terminal: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return ctrl, tty
}

func TestIsTerminal(t *testing.T) {
	_, tty := openPTY(t)
	if !isTerminal(tty) {
		t.Errorf("a pseudo-terminal is not taken for a terminal")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.Create(t.TempDir() + "/log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, w := range map[string]io.Writer{"pipe": w, "file": f, "buffer": &bytes.Buffer{}} {
		if isTerminal(w) {
			t.Errorf("a %s is taken for a terminal", name)
		}
	}
}

// shortCampaign runs writer cases under the process model for d.
func shortCampaign(d time.Duration) *campaign {
	process, _ := faultfs.ParseModel("process")
	return &campaign{scenarios: suite.Select("writer"), filter: []faultfs.Model{process}, seed: 1,
		deadline: time.Now().Add(d), shards: 1, workers: 1}
}

// On a terminal the progress line is redrawn in place a few times a second,
// and cleared at the end.
func TestProgressLive(t *testing.T) {
	ctrl, tty := openPTY(t)
	var out bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); io.Copy(&out, ctrl) }()

	c := shortCampaign(time.Second)
	p := startProgress(tty, c)
	c.run()
	p.end()
	tty.Close()
	ctrl.Close()
	wg.Wait()

	got := out.String()
	redraws := strings.Count(got, "\r\x1b[K")
	if redraws < 3 {
		t.Fatalf("%d redraws in a second, want a few:\n%q", redraws, got)
	}
	if strings.Contains(got, "\n") {
		t.Errorf("the live line scrolls:\n%q", got)
	}
	for _, want := range []string{"cases", "crash states", "states/s", "violations", "left"} {
		if !strings.Contains(got, want) {
			t.Errorf("the live line lacks %q:\n%q", want, got)
		}
	}
	if !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("the live line is not cleared at the end:\n%q", got[max(0, len(got)-80):])
	}
}

// Elsewhere progress is a plain line now and then.
func TestProgressPlain(t *testing.T) {
	defer func(d time.Duration) { plainInterval = d }(plainInterval)
	plainInterval = 200 * time.Millisecond
	var out lockedBuffer
	c := shortCampaign(time.Second)
	p := startProgress(&out, c)
	c.run()
	p.end()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("%d progress lines in a second at one per 200ms:\n%s", len(lines), out.String())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "crashcheck torture: ") || !strings.Contains(l, "states/s") || strings.ContainsAny(l, "\r\x1b") {
			t.Errorf("not a plain progress line: %q", l)
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
