//go:build linux

package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crashcheck/crashcheck/faultfs"
)

// verdict is the closing line of a campaign, without the "crashcheck
// torture: " prefix: the verdict in words (PASS, FAIL, or INTERRUPTED with
// no violation so far, NOTHING CHECKED when every case was skipped), then what was checked (cases, scenarios, models,
// invariants) and what was found, with the reason cases were skipped.
//
//	PASS: 20 cases of writer checked under process, posix, ext4-ordered against 3 invariants (...): no violation
func verdict(res *campaignResult, selector, model string) string {
	failing := res.failures()
	word := "PASS"
	switch {
	case len(failing) > 0:
		word = "FAIL"
	case res.interrupted:
		word = "INTERRUPTED"
	case len(res.cases) == res.skipped:
		word = "NOTHING CHECKED" // never a PASS that checked nothing
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s of %s", word, plural(len(res.cases)-res.skipped, "case"), scenarioPhrase(res, selector))
	if models, invs := checkedPhrase(res); models != "" {
		fmt.Fprintf(&b, " checked under %s against %s", models, invs)
	}
	switch {
	case len(failing) == 0 && res.interrupted:
		b.WriteString(": no violation so far")
	case len(failing) == 0:
		b.WriteString(": no violation")
	default:
		var which []string
		for _, f := range failing {
			which = append(which, fmt.Sprintf("case %d of %s", f.index, f.scenario))
		}
		fmt.Fprintf(&b, ": %s (%s), reported on stdout", plural(len(failing), "failing case"), listSome(which, 3))
		if allBroken(res, failing) {
			b.WriteString("; expected: the zoo's writers are known to be broken")
		}
	}
	if res.skipped > 0 {
		fmt.Fprintf(&b, "; %s skipped: %s", plural(res.skipped, "case"), skipPhrase(res, model))
	}
	return b.String()
}

// scenarioPhrase names the scenarios the finished cases ran: one by name,
// several by count and selector.
func scenarioPhrase(res *campaignResult, selector string) string {
	var ran []string
	for _, c := range res.cases {
		if !slices.Contains(ran, c.scenario) {
			ran = append(ran, c.scenario)
		}
	}
	switch len(ran) {
	case 0:
		return selector
	case 1:
		return ran[0]
	}
	return fmt.Sprintf("%d scenarios (-scenario %s)", len(ran), selector)
}

// checkedPhrase lists the models and invariants the cases that were not
// skipped checked, models in their canonical order, invariants by name
// (without their arguments) in the order first drawn; "" when no case
// checked any.
func checkedPhrase(res *campaignResult) (models, invariants string) {
	seenModel := map[string]bool{}
	var invs []string
	for _, c := range res.cases {
		d := res.drawn[c.index]
		if c.skipped || d == nil {
			continue
		}
		for _, m := range d.checked {
			seenModel[m] = true
		}
		for _, inv := range d.invariants {
			inv, _, _ = strings.Cut(inv, "(") // ModeIs(target, 0644): ModeIs
			if !slices.Contains(invs, inv) {
				invs = append(invs, inv)
			}
		}
	}
	var ms []string
	for _, m := range faultfs.Models() {
		if seenModel[m.Name()] {
			ms = append(ms, m.Name())
		}
	}
	if len(ms) == 0 {
		return "", ""
	}
	invariants = plural(len(invs), "invariant")
	if len(invs) > 0 {
		invariants += " (" + listSome(invs, 6) + ")"
	}
	return strings.Join(ms, ", "), invariants
}

// skipPhrase says why the skipped cases were skipped, once per reason.
func skipPhrase(res *campaignResult, model string) string {
	var reasons []string
	for _, c := range res.cases {
		if !c.skipped {
			continue
		}
		r := res.drawn[c.index].skipReason(model)
		if res.skipped > 1 {
			r = strings.Replace(r, "it checks", "they check", 1)
		}
		if !slices.Contains(reasons, r) {
			reasons = append(reasons, r)
		}
	}
	return strings.Join(reasons, "; ")
}

// allBroken reports whether every failing case ran a known-broken writer.
func allBroken(res *campaignResult, failing []*caseResult) bool {
	for _, f := range failing {
		if d := res.drawn[f.index]; d == nil || !d.broken {
			return false
		}
	}
	return true
}

// escaped is the line naming the cases of known-broken scenarios that
// found no violation, or "" when there are none. It tells apart the cases
// whose input was too small to trigger the bug (expected of some) from
// those whose writer no model checked can catch.
func escaped(res *campaignResult) string {
	var small, uncatchable []string
	broken := 0
	for _, c := range res.cases {
		d := res.drawn[c.index]
		if d == nil || !d.broken || c.skipped {
			continue
		}
		broken++
		switch {
		case c.violated():
		case d.catchable():
			small = append(small, fmt.Sprintf("case %d of %s", c.index, c.scenario))
		default:
			uncatchable = append(uncatchable, fmt.Sprintf("case %d of %s, caught under %s only", c.index, c.scenario, strings.Join(d.catchers, " or ")))
		}
	}
	if len(small)+len(uncatchable) == 0 {
		return ""
	}
	total, nu := len(small)+len(uncatchable), len(uncatchable)
	var parts []string
	if len(small) > 0 {
		parts = append(parts, fmt.Sprintf("%d with inputs too small to trigger the bug, as some are expected to (%s)", len(small), listSome(small, 5)))
	}
	if len(uncatchable) > 0 {
		if nu > 3 {
			uncatchable = append(uncatchable[:3], fmt.Sprintf("%d more", nu-3))
		}
		parts = append(parts, fmt.Sprintf("%d that no model checked can catch (%s)", nu, strings.Join(uncatchable, "; ")))
	}
	return fmt.Sprintf("%d of %s of known-broken scenarios escaped: %s", total, plural(broken, "case"), strings.Join(parts, "; "))
}

// listSome joins the first n items with ", " and counts the rest.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}
