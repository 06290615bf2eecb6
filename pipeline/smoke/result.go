package smoke

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Runner names which runner produced a Result.
const (
	RunnerBuiltin = "built-in"
	RunnerK6      = "k6"
)

// maxDistinctErrors bounds Stats.FirstErrors.
const maxDistinctErrors = 5

// Result is the verdict of a smoke test and its figures, for the release summary.
type Result struct {
	Runner string `json:"runner"`
	// Passed is true only when no threshold was crossed and nothing else failed.
	Passed bool `json:"passed"`
	// Failures names each reason the smoke test failed, e.g. "p95 812ms > 500ms" or
	// "error rate 12.0% > 1.0% (GET /healthz: 12 of 100 returned 503)".
	Failures []string `json:"failures,omitempty"`
	// Total is over all requests; Checks per declared check (k6: per k6 check, counting check evaluations).
	Total  Stats         `json:"total"`
	Checks []CheckResult `json:"checks,omitempty"`
	// What was asked (built-in runner).
	BaseURL    string        `json:"baseURL,omitempty"`
	Rate       int           `json:"rate,omitempty"`
	Duration   time.Duration `json:"-"`
	Thresholds Thresholds    `json:"-"`
	// Elapsed is the wall time of the run; Cancelled is true when the context ended it early.
	Elapsed   time.Duration `json:"-"`
	Cancelled bool          `json:"cancelled,omitempty"`
}

// Stats are the figures of a set of requests. Latencies are zero when unknown.
type Stats struct {
	Requests int `json:"requests"`
	// Errors are requests that failed, returned another status than expected, or whose body did not match.
	Errors int `json:"errors"`
	// SuccessRatio is (Requests-Errors)/Requests (0 when there were no requests).
	SuccessRatio       float64       `json:"successRatio"`
	P50, P95, P99, Max time.Duration `json:"-"`
	// StatusCodes counts responses by status; 0 counts requests that got no response.
	StatusCodes map[int]int `json:"statusCodes,omitempty"`
	// FirstErrors are the first few distinct errors, e.g. `GET /: body not containing "Pixels": got "<html>…"`.
	FirstErrors []string `json:"firstErrors,omitempty"`
}

// MarshalJSON writes the latencies in milliseconds.
func (s Stats) MarshalJSON() ([]byte, error) {
	type plain Stats
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return json.Marshal(struct {
		plain
		P50 float64 `json:"p50Ms"`
		P95 float64 `json:"p95Ms"`
		P99 float64 `json:"p99Ms"`
		Max float64 `json:"maxMs"`
	}{plain(s), ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max)})
}

// CheckResult are the figures of one check.
type CheckResult struct {
	// Name is "GET /healthz" (k6: the check's name).
	Name string `json:"name"`
	Stats
	// Reasons counts the errors by reason, e.g. "returned 503": 12, `body not containing "ok"`: 3, "timed out": 1.
	Reasons map[string]int `json:"reasons,omitempty"`
}

func (r *Result) fail(format string, args ...any) {
	r.Failures = append(r.Failures, fmt.Sprintf(format, args...))
}

// String is a short human table: verdict, what was asked, per-check figures, failures.
func (r Result) String() string {
	var b strings.Builder
	verdict := "PASSED"
	if !r.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "smoke test (%s) %s", r.Runner, verdict)
	if r.Runner == RunnerBuiltin {
		fmt.Fprintf(&b, ": %s at %d/s for %s", plural(len(r.Checks), "check"), r.Rate, fmtDuration(r.Duration))
		if r.Cancelled {
			fmt.Fprintf(&b, " (cancelled after %s)", fmtDuration(r.Elapsed))
		}
		fmt.Fprintf(&b, " against %s; thresholds p95 ≤ %s, errors ≤ %s",
			r.BaseURL, fmtDuration(r.Thresholds.P95), fmtPercent(r.Thresholds.MaxErrorRate))
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "  check\trequests\terrors\tp50\tp95\tp99\tmax\tstatus")
	row := func(name string, s Stats) {
		_, _ = fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", name, s.Requests, s.Errors,
			fmtLatency(s.P50), fmtLatency(s.P95), fmtLatency(s.P99), fmtLatency(s.Max), fmtCodes(s.StatusCodes))
	}
	for _, c := range r.Checks {
		row(c.Name, c.Stats)
	}
	row("total", r.Total)
	_ = tw.Flush() // into a strings.Builder, whose writes cannot fail
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "  ✗ %s\n", f)
	}
	for _, e := range r.Total.FirstErrors {
		fmt.Fprintf(&b, "  error: %s\n", e)
	}
	return strings.TrimRight(b.String(), "\n")
}

func fmtLatency(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmtDuration(d)
}

// fmtDuration rounds a duration for people: 812ms, 1.25s, 3.4ms, 250µs.
func fmtDuration(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// fmtPercent writes a fraction as a percentage with one decimal ("1.0%"), and NoErrors as "0%".
func fmtPercent(f float64) string {
	if f < 1e-9 {
		return "0%"
	}
	if p := f * 100; p < 0.1 {
		return strconv.FormatFloat(p, 'g', 2, 64) + "%"
	}
	return fmt.Sprintf("%.1f%%", f*100)
}

// fmtCodes writes a status histogram, most frequent first: "200×95 503×5".
func fmtCodes(m map[int]int) string {
	if len(m) == 0 {
		return "-"
	}
	codes := make([]int, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if m[codes[i]] != m[codes[j]] {
			return m[codes[i]] > m[codes[j]]
		}
		return codes[i] < codes[j]
	})
	parts := make([]string, len(codes))
	for i, c := range codes {
		name := strconv.Itoa(c)
		if c == 0 {
			name = "none"
		}
		parts[i] = fmt.Sprintf("%s×%d", name, m[c])
	}
	return strings.Join(parts, " ")
}

// fmtReasons explains a check's errors: "12 of 100 returned 503", or
// "12 of 100 failed (10 returned 503, 2 timed out)".
func fmtReasons(c CheckResult) string {
	if len(c.Reasons) == 1 {
		for reason := range c.Reasons {
			return fmt.Sprintf("%s: %d of %d %s", c.Name, c.Errors, c.Requests, reason)
		}
	}
	keys := sortedKeys(c.Reasons)
	sort.SliceStable(keys, func(i, j int) bool { return c.Reasons[keys[i]] > c.Reasons[keys[j]] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", c.Reasons[k], k)
	}
	return fmt.Sprintf("%s: %d of %d failed (%s)", c.Name, c.Errors, c.Requests, strings.Join(parts, ", "))
}

// MarshalJSON keeps Name and Reasons next to the Stats (whose own MarshalJSON would otherwise be promoted).
func (c CheckResult) MarshalJSON() ([]byte, error) {
	stats, err := json.Marshal(c.Stats)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(stats, &m); err != nil {
		return nil, err
	}
	m["name"] = c.Name
	if len(c.Reasons) > 0 {
		m["reasons"] = c.Reasons
	}
	return json.Marshal(m)
}

// MarshalJSON adds the durations and thresholds in milliseconds.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	out := struct {
		plain
		DurationMs     float64  `json:"durationMs,omitempty"`
		ElapsedMs      float64  `json:"elapsedMs,omitempty"`
		P95ThresholdMs float64  `json:"p95ThresholdMs,omitempty"`
		MaxErrorRate   *float64 `json:"maxErrorRate,omitempty"`
	}{plain: plain(r), DurationMs: ms(r.Duration), ElapsedMs: ms(r.Elapsed), P95ThresholdMs: ms(r.Thresholds.P95)}
	if r.Runner == RunnerBuiltin {
		rate := r.Thresholds.MaxErrorRate
		if rate < 1e-9 { // NoErrors
			rate = 0
		}
		out.MaxErrorRate = &rate
	}
	return json.Marshal(out)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
