//go:build linux

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/crashcheck/crashcheck/faultfs"
)

// violation is one property that failed in one crash state.
type violation struct {
	Model    string `json:"model"`
	Point    int    `json:"crash_point"`
	Op       string `json:"op"` // the last operation before the crash, "" at point 0
	Property string `json:"property"`
	Path     string `json:"path"`
	Detail   string `json:"detail"`

	kept, dropped, torn []int
	keptCount           int
	describe            string
}

// checkResult is what checking every crash state found.
type checkResult struct {
	ops        []faultfs.Op
	points     int
	states     int
	exhaustive bool
	violations []violation
}

// content is a file's content in a state, or why it has none.
type content struct {
	absent bool
	err    error // not a regular file, say
	c      faultfs.Content
}

func contentOf(s *faultfs.CrashState, name string) content {
	c, err := s.Content(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return content{absent: true}
	case err != nil:
		return content{err: err}
	}
	return content{c: c}
}

func (a content) same(b content) bool {
	switch {
	case a.absent || b.absent:
		return a.absent == b.absent
	case a.err != nil || b.err != nil:
		return a.err != nil && b.err != nil && faultfs.ErrString(a.err) == faultfs.ErrString(b.err)
	}
	return a.c.Equal(b.c)
}

// String describes the content for a report: size and first bytes.
func (a content) String() string {
	switch {
	case a.absent:
		return "absent"
	case a.err != nil:
		return "unreadable (" + faultfs.ErrString(a.err) + ")"
	}
	const show = 32
	s := fmt.Sprintf("%d bytes %s", a.c.Len(), strconv.Quote(string(a.c.Prefix(show))))
	if a.c.Len() > show {
		s += "..."
	}
	return s
}

// check enumerates the crash states of hist under every model asked for
// and checks the properties in each.
func (r *runner) check(hist *faultfs.History) *checkResult {
	res := &checkResult{ops: hist.Ops(), points: hist.Points(), exhaustive: true}
	initial, final := hist.InitialState(), hist.FinalState()
	olds := make([]content, len(r.cfg.files))
	news := make([]content, len(r.cfg.files))
	for i, f := range r.cfg.files {
		olds[i], news[i] = contentOf(initial, f), contentOf(final, f)
	}
	best := map[string]int{} // property key -> index in res.violations
	add := func(v violation) {
		key := fmt.Sprintf("%s\x00%d\x00%s\x00%s", v.Model, v.Point, v.Property, v.Path)
		if i, ok := best[key]; ok {
			if v.keptCount < res.violations[i].keptCount {
				res.violations[i] = v
			}
			return
		}
		best[key] = len(res.violations)
		res.violations = append(res.violations, v)
	}
	opt := faultfs.EnumOptions{MaxStates: r.cfg.maxStates, Seed: r.cfg.seed}
	last := hist.Points() - 1
	for _, m := range r.cfg.models {
		for point := 0; point <= last; point++ {
			afterExit := point == last && r.commandExitedOK
			stats := hist.Enumerate(m, point, opt, func(s *faultfs.CrashState) bool {
				r.checkState(s, m.Name(), point, afterExit, res.ops, olds, news, add)
				r.mu.Lock()
				defer r.mu.Unlock()
				return r.interrupted == nil
			})
			res.states += stats.States
			res.exhaustive = res.exhaustive && stats.Exhaustive
			if r.interrupted != nil {
				return res
			}
		}
	}
	slices.SortStableFunc(res.violations, func(a, b violation) int {
		if a.Point != b.Point {
			return a.Point - b.Point
		}
		return a.keptCount - b.keptCount
	})
	return res
}

func (r *runner) checkState(s *faultfs.CrashState, model string, point int, afterExit bool,
	ops []faultfs.Op, olds, news []content, add func(violation)) {
	mk := func(property, path, detail string) violation {
		v := violation{Model: model, Point: point, Property: property, Path: path, Detail: detail,
			kept: s.Kept(), dropped: s.Dropped(), torn: s.Torn(), keptCount: s.KeptCount(), describe: s.Describe()}
		if point > 0 {
			v.Op = ops[point-1].String()
		}
		return v
	}
	for i, f := range r.cfg.files {
		got := contentOf(s, f)
		// A file that is neither old nor new breaks atomicity, the worse
		// failure, even after COMMAND exited; one that is whole but old
		// there breaks durability.
		switch {
		case !got.same(olds[i]) && !got.same(news[i]):
			add(mk("atomic", f, fmt.Sprintf("%s holds %s; neither old: %s, nor new: %s", f, got, olds[i], news[i])))
		case r.cfg.durable && afterExit && !got.same(news[i]):
			add(mk("durable", f, fmt.Sprintf("after COMMAND exited 0, %s holds %s; want the final content: %s", f, got, news[i])))
		}
	}
	if len(r.cfg.checks) == 0 && len(r.cfg.recovers) == 0 {
		return
	}
	after := "0"
	if afterExit {
		after = "1"
	}
	env := []string{"CRASHCHECK_AFTER_EXIT=" + after, "CRASHCHECK_CRASH_POINT=" + strconv.Itoa(point), "CRASHCHECK_MODEL=" + model}
	state := s.Mem()
	if len(r.cfg.recovers) > 0 {
		r.switchTo(state, false)
		for _, c := range r.cfg.recovers {
			if exit, note, out := r.shell(c, env); exit != 0 || note != "" {
				add(mk("recover", "", commandDetail(c, exit, note, out)))
				return
			}
		}
	}
	r.switchTo(state, true)
	for _, c := range r.cfg.checks {
		if exit, note, out := r.shell(c, env); exit != 0 || note != "" {
			add(mk("check", "", commandDetail(c, exit, note, out)))
		}
	}
}

func commandDetail(cmd string, exit int, note string, out []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "sh -c %s ", strconv.Quote(cmd))
	if note != "" {
		b.WriteString(note)
	} else {
		fmt.Fprintf(&b, "exited %d", exit)
	}
	if o := strings.TrimSpace(string(out)); o != "" {
		fmt.Fprintf(&b, ": %s", o)
	}
	return b.String()
}
