//go:build linux

package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress reports a long job on stderr: a live line redrawn a few times a
// second on a terminal, a plain line every interval otherwise. torture
// reports a campaign with it, run its checking (run_progress.go).
type progress struct {
	w        io.Writer
	name     string        // starts each plain line: "crashcheck torture"
	line     func() string // what to say now
	live     bool
	interval time.Duration
	stop     chan struct{}
	done     sync.WaitGroup
	mu       sync.Mutex // orders writes to w
	start    time.Time
}

// How often progress is printed: as a plain line (a log, a CI job) and as
// a redrawn line on a terminal.
var (
	plainInterval = 10 * time.Second
	liveInterval  = 250 * time.Millisecond
)

// startProgress starts reporting c on w.
func startProgress(w io.Writer, c *campaign) *progress {
	start := time.Now()
	return startProgressLine(w, "crashcheck torture", func() string { return campaignLine(c, start) })
}

// startProgressLine starts printing line() on w, plain lines prefixed
// with name.
func startProgressLine(w io.Writer, name string, line func() string) *progress {
	p := &progress{w: w, name: name, line: line, live: isTerminal(w), interval: plainInterval, stop: make(chan struct{}), start: time.Now()}
	if p.live {
		p.interval = liveInterval
	}
	p.done.Add(1)
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer p.done.Done()
	tick := time.NewTicker(p.interval)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			if p.live {
				p.mu.Lock()
				fmt.Fprint(p.w, "\r\033[K")
				p.mu.Unlock()
			}
			return
		case <-tick.C:
			p.mu.Lock()
			if p.live {
				fmt.Fprintf(p.w, "\r\033[K%s", p.line())
			} else {
				fmt.Fprintf(p.w, "%s: %s\n", p.name, p.line())
			}
			p.mu.Unlock()
		}
	}
}

// campaignLine is a campaign's progress: cases, crash states, states/s,
// violations, time (or cases) left.
func campaignLine(c *campaign, start time.Time) string {
	el := time.Since(start)
	cases, states, viol := int(c.cases.Load()), int(c.states.Load()), int(c.violations.Load())
	left := ""
	if c.runs > 0 {
		todo := (c.runs - c.shard + c.shards - 1) / c.shards
		left = fmt.Sprintf("%d of %d cases", cases, todo)
	} else {
		left = fmt.Sprintf("%s, %s left", plural(cases, "case"), max(time.Until(c.deadline), 0).Round(time.Second))
	}
	return fmt.Sprintf("%s, %d crash states (%s states/s), %s, %s elapsed",
		left, states, rate(states, el.Seconds()), plural(viol, "violation"), el.Round(time.Second))
}

// println prints a line of its own; on a terminal, the live line is
// cleared first and redrawn at the next tick.
func (p *progress) println(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintln(p.w, s)
}

// end stops the reporting.
func (p *progress) end() {
	close(p.stop)
	p.done.Wait()
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && fdIsTerminal(int(f.Fd()))
}
