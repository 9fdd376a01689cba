package suite

import (
	"flag"
	"github.com/crashcheck/crashcheck/scenarios"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// zooWitness is a case rich enough to show every way each zoo writer is
// caught: an existing target whose mode is neither the 0644 the writers
// are asked for nor the 0600 of a temp file, and contents that differ from
// their first byte and straddle a 512-byte sector.
var zooWitness = ZooCase{Old: fill(600, 1, 'O'), OldMode: 0o640, New: fill(700, 2, 'N')}

// minZoo is the least number of broken writers the zoo must hold.
const minZoo = 12

// caughtBy returns the distinct (invariant, model) pairs of a report's
// violations, sorted, the invariant named without its arguments.
func caughtBy(rep *scenarios.Report) []Catch {
	var out []Catch
	for _, v := range rep.Violations {
		name, _, _ := strings.Cut(v.Invariant, "(")
		c := Catch{Invariant: name, Model: v.Model}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, compareCatch)
	return out
}

func compareCatch(a, b Catch) int {
	if c := strings.Compare(a.Invariant, b.Invariant); c != 0 {
		return c
	}
	return strings.Compare(a.Model, b.Model)
}

// matches reports whether a violation is the catch: its invariant's name
// starts with the catch's, and it happened under the catch's model.
func (c Catch) matches(v scenarios.Violation) bool {
	return strings.HasPrefix(v.Invariant, c.Invariant) && v.Model == c.Model
}

func (c Catch) String() string {
	if c.Model == "" {
		return c.Invariant + "/no-crash"
	}
	return c.Invariant + "/" + c.Model
}

// TestZooRegistry checks that the zoo is complete: every broken writer is a
// registered, Broken scenario that says what catches it.
func TestZooRegistry(t *testing.T) {
	broken := 0
	for _, s := range Scenarios() {
		if !s.Broken {
			continue
		}
		broken++
		e, ok := zoo[strings.TrimPrefix(s.Name, "zoo/")]
		if !ok || !strings.HasPrefix(s.Name, "zoo/") {
			t.Errorf("%s: a broken scenario outside the zoo", s.Name)
			continue
		}
		if len(s.Caught) == 0 || !slices.Equal(s.Caught, e.caught) {
			t.Errorf("%s: Caught = %v, want the writer's %v (and not empty)", s.Name, s.Caught, e.caught)
		}
		if s.Description == "" {
			t.Errorf("%s: no description", s.Name)
		}
	}
	if broken != len(zoo) {
		t.Errorf("%d broken scenarios registered, %d zoo writers", broken, len(zoo))
	}
	if broken < minZoo {
		t.Errorf("the zoo holds %d broken writers, want at least %d", broken, minZoo)
	}
	if got := len(Select("zoo/")); got != broken {
		t.Errorf(`Select("zoo/") = %d scenarios, want %d`, got, broken)
	}
}

// TestZooCatches checks, on one rich case, that each broken writer is
// caught by exactly the invariants and models its Caught list names: none
// missing (the harness lost a check) and none extra (the list is honest).
func TestZooCatches(t *testing.T) {
	for _, s := range Select("zoo/") {
		t.Run(s.Name, func(t *testing.T) {
			rep, err := scenarios.Verify(zoo[strings.TrimPrefix(s.Name, "zoo/")].spec(zooWitness))
			if err != nil {
				t.Fatal(err)
			}
			want := slices.SortedFunc(slices.Values(s.Caught), compareCatch)
			if got := caughtBy(rep); !slices.Equal(got, want) {
				t.Errorf("caught by %v, want %v\n%s", got, want, rep)
			}
		})
	}
}

// TestZooFound is the harness's mutation test: for every broken writer,
// rapid must find, within its default number of checks, a drawn case that
// every invariant and model of the writer's Caught list flags, and shrink
// it to a few bytes. Should a change to the harness let a writer escape
// one of its catches, no drawn case shows them all and this fails.
func TestZooFound(t *testing.T) {
	quietRapid(t)
	for _, s := range Select("zoo/") {
		e := zoo[strings.TrimPrefix(s.Name, "zoo/")]
		t.Run(s.Name, func(t *testing.T) {
			var last *ZooCase
			var lastRep *scenarios.Report
			seen := map[Catch]bool{} // catches some drawn case showed
			res := scenarios.RapidCheck(scenarios.RapidOptions{Name: t.Name()}, func(rt *rapid.T) {
				zc := DrawZooCase(rt)
				rep, err := scenarios.Verify(e.spec(zc))
				if err != nil {
					rt.Fatalf("%v", err)
				}
				missing := missingCatches(rep, s.Caught)
				for _, c := range s.Caught {
					seen[c] = seen[c] || !slices.Contains(missing, c)
				}
				if len(missing) == 0 {
					last, lastRep = &zc, rep
					rt.Fatalf("caught by %v", s.Caught)
				}
			})
			if !res.Failed || last == nil {
				var never []Catch
				for _, c := range s.Caught {
					if !seen[c] {
						never = append(never, c)
					}
				}
				t.Fatalf("%s escaped in %s checks: no drawn case was caught by all of %v; never caught by %v\n%s",
					s.Name, checks(), s.Caught, never, strings.Join(res.Errors, "\n"))
			}
			if len(last.Old) > zooSmall || len(last.New) > zooSmall {
				t.Errorf("counterexample not shrunk: old %d bytes, new %d bytes (want at most %d each)\n%s",
					len(last.Old), len(last.New), zooSmall, lastRep)
			}
			t.Logf("smallest case: old %d bytes (mode %04o), new %d bytes; %s", len(last.Old), uint32(last.OldMode), len(last.New), lastRep.String())
		})
	}
}

// missingCatches returns the catches none of the report's violations
// matches.
func missingCatches(rep *scenarios.Report, caught []Catch) []Catch {
	var missing []Catch
	for _, c := range caught {
		if !slices.ContainsFunc(rep.Violations, c.matches) {
			missing = append(missing, c)
		}
	}
	return missing
}

// zooSmall is the size a zoo counterexample must shrink to: every bug in
// the zoo shows on contents of a few bytes, or of one sector and a byte
// when it takes a torn write (rapid shrinks the old content first, so it
// may prefer an empty old content and a torn new one, and its shrinker
// sometimes stops short of 513 there: two sectors is the bound, against
// 64 KiB drawn).
const zooSmall = 2 * 512

// checks is rapid's number of checks per property (-rapid.checks).
func checks() string { return flag.Lookup("rapid.checks").Value.String() }

// quietRapid stops rapid from saving a fail file for the properties meant
// to fail here, for the duration of t.
func quietRapid(t *testing.T) {
	setFlag(t, "rapid.nofailfile", "true")
	// Shrinking under -race on a loaded machine can outlast rapid's
	// default 30 s and stop early; the bound on size needs it to finish.
	setFlag(t, "rapid.shrinktime", "3m")
}

// setFlag sets a global flag for the test and restores it after.
func setFlag(t *testing.T, name, value string) {
	f := flag.Lookup(name)
	old := f.Value.String()
	if err := f.Value.Set(value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Value.Set(old) })
}
