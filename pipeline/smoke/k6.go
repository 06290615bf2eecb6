package smoke

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// K6ThresholdsFailed is k6's exit code when thresholds were crossed (exitcodes.ThresholdsHaveFailed).
const K6ThresholdsFailed = 99

// k6ExitMeaning names k6's own exit codes (go.k6.io/k6/errext/exitcodes).
var k6ExitMeaning = map[int]string{
	97:  "cloud test run failed",
	98:  "cloud progress unavailable",
	99:  "thresholds crossed",
	100: "setup timed out",
	101: "teardown timed out",
	102: "timed out",
	103: "engine error",
	104: "invalid configuration",
	105: "aborted from outside",
	106: "REST API could not start",
	107: "script exception",
	108: "script aborted",
}

// K6Args is the argv (starting with "k6") that runs script against baseURL, which the script reads as
// __ENV.BASE_URL, and writes the end-of-test summary to summaryPath for GateK6. In the grafana/k6 image, whose
// entrypoint is k6, drop the first element or run with the entrypoint.
func K6Args(script, baseURL, summaryPath string) []string {
	return []string{"k6", "run", "--no-color", "--summary-export", summaryPath, "--env", "BASE_URL=" + baseURL, script}
}

// GateK6 judges a k6 run from its --summary-export file and its exit code. It fails when any threshold failed, when
// any check failed even though every threshold passed (k6 exits 0 then: k6 #335), when k6 exited non-zero, and when
// the script declares neither checks nor thresholds (nothing would be verified).
//
// Two export shapes are read. The default (legacy) one, which --summary-export writes unless
// --new-machine-readable-summary is given: metrics.<name> is the flat values object ({"count", "rate"} for counters,
// {"avg", "med", "p(95)", "max"...} in milliseconds for trends, {"passes", "fails", "value"} for rates) plus, when
// the metric has thresholds, "thresholds": {"<expression>": bool} where true means the threshold FAILED (k6 writes
// !ok; k6 #1498); root_group.checks and root_group.groups are objects keyed by name, each check with "passes" and
// "fails". The handleSummary()-data shape: metrics.<name> is {"type", "values": {...}, "thresholds":
// {"<expression>": {"ok": bool}}} and groups/checks are arrays.
//
// The error is non-nil only when the summary cannot be read (missing, not JSON); the Result then fails too.
func GateK6(summaryJSON []byte, exitCode int) (Result, error) {
	res := Result{Runner: RunnerK6}
	if exitCode != 0 {
		meaning := k6ExitMeaning[exitCode]
		if meaning == "" {
			meaning = "error"
		}
		res.fail("k6 exited %d (%s)", exitCode, meaning)
	}
	s, err := parseK6Summary(summaryJSON)
	if err != nil {
		res.fail("k6 summary unreadable")
		return res, fmt.Errorf("k6 summary (exit code %d): %w", exitCode, err)
	}

	// Thresholds, in a stable order.
	var thresholds int
	for _, name := range sortedKeys(s.metrics) {
		m := s.metrics[name]
		for _, expr := range sortedKeys(m.failed) {
			thresholds++
			if m.failed[expr] {
				res.fail("k6 threshold failed: %s %s%s", name, expr, observed(name, expr, m.values))
			}
		}
	}

	// Checks: per check from the groups, total from the checks metric (whichever knows more).
	var passes, fails int64
	for _, c := range s.checks {
		passes += c.Passes
		fails += c.Fails
		cr := CheckResult{Name: c.Name, Stats: Stats{Requests: int(c.Passes + c.Fails), Errors: int(c.Fails)}}
		if cr.Requests > 0 {
			cr.SuccessRatio = float64(c.Passes) / float64(cr.Requests)
		}
		if c.Fails > 0 {
			cr.Reasons = map[string]int{"failed": int(c.Fails)}
		}
		res.Checks = append(res.Checks, cr)
	}
	if m, ok := s.metrics["checks"]; ok {
		if p, f := int64(m.values["passes"]), int64(m.values["fails"]); p+f > passes+fails {
			passes, fails = p, f
		}
	}
	if fails > 0 {
		var which []string
		for _, c := range res.Checks {
			if c.Errors > 0 {
				which = append(which, fmt.Sprintf("%q %d of %d", c.Name, c.Errors, c.Requests))
			}
		}
		msg := fmt.Sprintf("k6 checks failed: %d of %d", fails, passes+fails)
		if len(which) > 0 {
			msg += " (" + strings.Join(which, "; ") + ")"
		}
		res.fail("%s", msg)
	}
	if thresholds == 0 && passes+fails == 0 {
		res.fail("k6 script declares no thresholds and ran no checks: nothing was verified")
	}

	// Figures for the summary: requests, failed requests, latencies.
	if m, ok := s.metrics["http_reqs"]; ok {
		res.Total.Requests = int(m.values["count"])
	}
	if m, ok := s.metrics["http_req_failed"]; ok {
		// A rate metric's "passes" counts true samples: here, failed requests.
		res.Total.Errors = int(m.values["passes"])
	}
	if res.Total.Requests > 0 {
		res.Total.SuccessRatio = float64(res.Total.Requests-res.Total.Errors) / float64(res.Total.Requests)
	}
	if m, ok := s.metrics["http_req_duration"]; ok {
		res.Total.P50 = msDuration(m.values["med"])
		res.Total.P95 = msDuration(m.values["p(95)"])
		res.Total.P99 = msDuration(m.values["p(99)"])
		res.Total.Max = msDuration(m.values["max"])
	}
	res.Passed = len(res.Failures) == 0
	return res, nil
}

// observed is the value a threshold expression was tested on, when the export has it: " (p(95)=812.3)".
func observed(metric, expr string, values map[string]float64) string {
	agg := expr
	if i := strings.IndexAny(expr, "<>=!"); i >= 0 {
		agg = strings.TrimSpace(expr[:i])
	}
	v, ok := values[agg]
	if !ok && agg == "rate" {
		v, ok = values["value"] // legacy export renames a rate metric's "rate" to "value"
	}
	if !ok {
		return ""
	}
	unit := ""
	if strings.HasSuffix(metric, "_duration") || strings.Contains(metric, "_duration{") {
		unit = "ms"
	}
	return fmt.Sprintf(" (%s=%s%s)", agg, strconv.FormatFloat(v, 'f', -1, 64), unit)
}

func msDuration(ms float64) time.Duration {
	if ms <= 0 || math.IsNaN(ms) || math.IsInf(ms, 0) {
		return 0
	}
	return time.Duration(ms * float64(time.Millisecond))
}

type k6Summary struct {
	metrics map[string]k6Metric
	checks  []k6Check
}

type k6Metric struct {
	values map[string]float64
	failed map[string]bool // threshold expression → failed
}

type k6Check struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Passes int64  `json:"passes"`
	Fails  int64  `json:"fails"`
}

type k6Group struct {
	Name   string          `json:"name"`
	Groups json.RawMessage `json:"groups"` // object keyed by name (legacy export) or array
	Checks json.RawMessage `json:"checks"` // object keyed by name (legacy export) or array
}

func parseK6Summary(data []byte) (k6Summary, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return k6Summary{}, errors.New("empty: k6 wrote no summary (did it start? is --summary-export set?)")
	}
	var doc struct {
		Metrics   map[string]json.RawMessage `json:"metrics"`
		RootGroup *k6Group                   `json:"root_group"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return k6Summary{}, fmt.Errorf("not JSON: %s", jsonError(data, err))
	}
	if doc.Metrics == nil && doc.RootGroup == nil {
		return k6Summary{}, errors.New("no \"metrics\" and no \"root_group\": not a k6 summary export")
	}
	s := k6Summary{metrics: map[string]k6Metric{}}
	for name, raw := range doc.Metrics {
		m, err := parseK6Metric(raw)
		if err != nil {
			return k6Summary{}, fmt.Errorf("metrics.%s: %w", name, err)
		}
		s.metrics[name] = m
	}
	if doc.RootGroup != nil {
		checks, err := groupChecks(*doc.RootGroup, 0)
		if err != nil {
			return k6Summary{}, err
		}
		s.checks = checks
	}
	return s, nil
}

func parseK6Metric(raw json.RawMessage) (k6Metric, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return k6Metric{}, errors.New("not an object")
	}
	m := k6Metric{values: map[string]float64{}, failed: map[string]bool{}}
	valueFields := fields
	if v, ok := fields["values"]; ok { // handleSummary()-data shape
		if err := json.Unmarshal(v, &valueFields); err != nil {
			return k6Metric{}, errors.New("values: not an object")
		}
	}
	for k, v := range valueFields {
		var f float64
		if json.Unmarshal(v, &f) == nil {
			m.values[k] = f
		}
	}
	if th, ok := fields["thresholds"]; ok {
		var entries map[string]json.RawMessage
		if err := json.Unmarshal(th, &entries); err != nil {
			return k6Metric{}, errors.New("thresholds: not an object")
		}
		for expr, v := range entries {
			var failed bool // legacy: true means the threshold failed
			if err := json.Unmarshal(v, &failed); err != nil {
				var obj struct {
					OK *bool `json:"ok"`
				}
				if err := json.Unmarshal(v, &obj); err != nil || obj.OK == nil {
					return k6Metric{}, fmt.Errorf("thresholds[%q]: want true/false or {\"ok\": bool}", expr)
				}
				failed = !*obj.OK
			}
			m.failed[expr] = failed
		}
	}
	return m, nil
}

// groupChecks collects the checks of a group and its subgroups, in name order per group.
func groupChecks(g k6Group, depth int) ([]k6Check, error) {
	if depth > 32 {
		return nil, errors.New("root_group: groups nested too deep")
	}
	var checks []k6Check
	if err := eachOf(g.Checks, func(raw json.RawMessage) error {
		var c k6Check
		if err := json.Unmarshal(raw, &c); err != nil {
			return fmt.Errorf("check in group %q: %w", g.Name, err)
		}
		checks = append(checks, c)
		return nil
	}); err != nil {
		return nil, err
	}
	sort.SliceStable(checks, func(i, j int) bool { return checks[i].Name < checks[j].Name })
	for i := range checks {
		if g.Name != "" {
			checks[i].Name = g.Name + " › " + checks[i].Name
		}
	}
	var sub []k6Check
	if err := eachOf(g.Groups, func(raw json.RawMessage) error {
		var child k6Group
		if err := json.Unmarshal(raw, &child); err != nil {
			return fmt.Errorf("group in %q: %w", g.Name, err)
		}
		if g.Name != "" {
			child.Name = g.Name + " › " + child.Name
		}
		cs, err := groupChecks(child, depth+1)
		sub = append(sub, cs...)
		return err
	}); err != nil {
		return nil, err
	}
	return append(checks, sub...), nil
}

// eachOf calls fn for each element of a JSON array or each value of a JSON object (in key order); null is empty.
func eachOf(raw json.RawMessage, fn func(json.RawMessage) error) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return err
		}
		for _, v := range list {
			if err := fn(v); err != nil {
				return err
			}
		}
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return err
	}
	for _, k := range sortedKeys(obj) {
		if err := fn(obj[k]); err != nil {
			return err
		}
	}
	return nil
}
