package scenarios

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// ReportJSON is the JSON form of a [Report]. Its field names are a
// contract shared by crashcheck run --json and torture -json: fields are
// added, never renamed. A front end that reports more (run's
// command_exit, say) embeds it in its own struct; a field of the outer
// struct with the same JSON name (run's "model", the -model flag as
// given) takes precedence over the embedded one, as encoding/json
// resolves names.
type ReportJSON struct {
	Name        string      `json:"name"`
	Model       string      `json:"model"`  // the models, comma-separated
	Models      []string    `json:"models"` // the same, as a list
	Ops         int         `json:"ops"`    // disk operations of the run
	CrashPoints int         `json:"crash_points"`
	States      int         `json:"states"`
	Exhaustive  bool        `json:"exhaustive"`
	Interrupted bool        `json:"interrupted"`
	ErrorRuns   int         `json:"error_runs"`
	Violations  []Violation `json:"violations"` // never null
	// Added after the fields above: Coverage in words, StoppedEarly,
	// Untested (omitted when empty).
	Coverage     string   `json:"coverage"`
	StoppedEarly bool     `json:"stopped_early"`
	Untested     []string `json:"untested,omitempty"`
}

// JSON returns the report's JSON form.
func (r *Report) JSON() ReportJSON {
	viol := r.Violations
	if viol == nil {
		viol = []Violation{}
	}
	return ReportJSON{
		Name: r.Name, Model: strings.Join(r.Models, ","), Models: r.Models, Ops: len(r.Ops),
		CrashPoints: r.CrashPoints, States: r.States, Exhaustive: r.Exhaustive,
		Interrupted: r.Interrupted, ErrorRuns: r.ErrorRuns, Violations: viol,
		Coverage: r.Coverage(), StoppedEarly: r.StoppedEarly, Untested: r.Untested,
	}
}

// MarshalJSON implements json.Marshaler with [Report.JSON] (compact,
// '<' and '>' not escaped).
func (r *Report) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(r.JSON())
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// EncodeJSON writes v (a Report, a ReportJSON or a struct embedding one)
// to w as the reports are written: indented by two spaces, '<' and '>'
// left as they are (paths and operations are shown, not escaped), and a
// final newline. Commands write the bytes to their report file with the
// atomic writer, durably: this package does not write files.
func EncodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
