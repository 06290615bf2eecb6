// Package checks collects the outcome of check stages that ran side by side and turns them into one report:
// a short table for people, and an error that names every failing stage with the first lines of its output, so a
// pull request author sees all problems at once instead of fixing them one run at a time.
package checks

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Status of one stage.
type Status string

const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
	// NotRun means a stage could not start because something it builds on (the install step) failed.
	NotRun Status = "not run"
)

// Result is the outcome of one stage.
type Result struct {
	Stage    string
	Status   Status
	Command  string
	ExitCode int
	// Output is the stage's combined stdout and stderr.
	Output   string
	Note     string
	Duration time.Duration
}

// Report is the outcome of a set of stages.
type Report struct {
	// Subject names what was checked, e.g. "node app pixels-web (Node 20 from .nvmrc)".
	Subject string
	Results []Result
}

// ExcerptLines is how many lines of a failing stage's output the error shows.
const ExcerptLines = 15

// Failed returns the failing (or not run) stages in their declared order.
func (r *Report) Failed() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == Failed || res.Status == NotRun {
			out = append(out, res)
		}
	}
	return out
}

// Err is nil when every stage passed or was skipped; otherwise it names each failing stage and shows the
// first lines of its output.
func (r *Report) Err() error {
	failed := r.Failed()
	if len(failed) == 0 {
		return nil
	}
	names := make([]string, len(failed))
	for i, f := range failed {
		names[i] = f.Stage
	}
	var b strings.Builder
	fmt.Fprintf(&b, "check failed: %s\n", strings.Join(names, ", "))
	for _, f := range failed {
		b.WriteString("\n")
		switch f.Status {
		case NotRun:
			fmt.Fprintf(&b, "── %s: not run: %s\n", f.Stage, f.Note)
		default:
			switch {
			case f.Command != "" && f.ExitCode == 0 && f.Note != "":
				// It never ran to an exit code (e.g. a service it needs did not start): the note says why.
				fmt.Fprintf(&b, "── %s failed: %s: %s\n", f.Stage, f.Command, f.Note)
			case f.Command != "":
				fmt.Fprintf(&b, "── %s failed (exit %d): %s\n", f.Stage, f.ExitCode, f.Command)
			default:
				fmt.Fprintf(&b, "── %s failed: %s\n", f.Stage, f.Note)
			}
			b.WriteString(Excerpt(f.Output, ExcerptLines))
		}
	}
	return &Error{Stages: names, msg: strings.TrimRight(b.String(), "\n")}
}

// Error is returned when stages fail; Stages lists them for callers that act on it.
type Error struct {
	Stages []string
	msg    string
}

func (e *Error) Error() string { return e.msg }

// Summary is the human table printed after a check, one line a stage.
func (r *Report) Summary() string {
	var b strings.Builder
	if r.Subject != "" {
		fmt.Fprintf(&b, "check: %s\n", r.Subject)
	}
	w := 0
	for _, res := range r.Results {
		w = max(w, len(res.Stage))
	}
	for _, res := range r.Results {
		detail := res.Command
		if res.Status == Skipped || res.Status == NotRun || (detail == "" && res.Note != "") {
			detail = res.Note
		}
		dur := ""
		if res.Duration > 0 {
			dur = fmt.Sprintf(" %5.1fs", res.Duration.Seconds())
		}
		fmt.Fprintf(&b, "  %-*s  %-7s%s  %s\n", w, res.Stage, res.Status, dur, detail)
	}
	return b.String()
}

// Excerpt returns the first n non-empty lines of out (with a marker when more were cut), indented.
func Excerpt(out string, n int) string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	cut := 0
	if len(lines) > n {
		cut = len(lines) - n
		lines = lines[:n]
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("   " + l + "\n")
	}
	if cut > 0 {
		fmt.Fprintf(&b, "   … %d more lines\n", cut)
	}
	return b.String()
}

// Sort orders results by the given stage order; unknown stages go last, alphabetically.
func (r *Report) Sort(order ...string) {
	rank := map[string]int{}
	for i, s := range order {
		rank[s] = i + 1
	}
	sort.SliceStable(r.Results, func(i, j int) bool {
		a, b := rank[r.Results[i].Stage], rank[r.Results[j].Stage]
		if a == 0 || b == 0 {
			if a == b {
				return r.Results[i].Stage < r.Results[j].Stage
			}
			return a != 0
		}
		return a < b
	})
}
