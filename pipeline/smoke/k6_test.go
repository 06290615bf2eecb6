package smoke

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// legacyExport is the shape k6 run --summary-export writes by default (k6's summary-wrapper.js oldJSONSummary):
// flat metric values, thresholds as expression → true when FAILED, groups and checks keyed by name.
func legacyExport(p95 float64, p95Failed bool, statusFails, bodyFails int) string {
	return fmt.Sprintf(`{
    "root_group": {
        "name": "", "path": "", "id": "d41d8cd98f00b204e9800998ecf8427e",
        "groups": {},
        "checks": {
            "status is 200": {"name": "status is 200", "path": "::status is 200", "id": "6210a8cd14cd70477eba5c5e4cb3fb5f", "passes": %d, "fails": %d},
            "body has Pixels": {"name": "body has Pixels", "path": "::body has Pixels", "id": "0b1a3a2f1a9c5b6e0b0d1f3c9b8e7d6a", "passes": %d, "fails": %d}
        }
    },
    "metrics": {
        "checks": {"passes": %d, "fails": %d, "value": 0.9},
        "http_reqs": {"count": 60, "rate": 5.93},
        "http_req_failed": {"passes": 0, "fails": 60, "value": 0, "thresholds": {"rate<0.01": false}},
        "http_req_duration": {
            "avg": 12.1, "min": 3.2, "med": 10.5, "max": 901.2, "p(90)": 20.1, "p(95)": %v,
            "thresholds": {"p(95)<500": %v}
        },
        "iterations": {"count": 60, "rate": 5.93},
        "vus": {"value": 1, "min": 1, "max": 1}
    }
}`, 60-statusFails, statusFails, 60-bodyFails, bodyFails, 120-statusFails-bodyFails, statusFails+bodyFails, p95, p95Failed)
}

func TestK6Args_RunsTheScriptWithSummaryExportAndBaseURL(t *testing.T) {
	t.Parallel()
	got := K6Args("/src/smoke.js", "https://app.example.com", "/out/summary.json")
	want := []string{"k6", "run", "--no-color", "--summary-export", "/out/summary.json",
		"--env", "BASE_URL=https://app.example.com", "/src/smoke.js"}
	if !slices.Equal(got, want) {
		t.Errorf("K6Args = %q\nwant %q", got, want)
	}
}

func TestGateK6_PassingRunPasses(t *testing.T) {
	t.Parallel()
	res, err := GateK6([]byte(legacyExport(25.3, false, 0, 0)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed || len(res.Failures) != 0 {
		t.Fatalf("failures = %q", res.Failures)
	}
	if res.Runner != RunnerK6 || res.Total.Requests != 60 || res.Total.Errors != 0 ||
		res.Total.P95 != time.Duration(25.3*float64(time.Millisecond)) || res.Total.P50 != 10500*time.Microsecond {
		t.Errorf("total = %+v", res.Total)
	}
	if len(res.Checks) != 2 || res.Checks[0].Name != "body has Pixels" || res.Checks[0].Requests != 60 {
		t.Errorf("checks = %+v", res.Checks)
	}
	if s := res.String(); !strings.HasPrefix(s, "smoke test (k6) PASSED") || !strings.Contains(s, "status is 200") {
		t.Errorf("table:\n%s", s)
	}
}

func TestGateK6_FailedThresholdFailsNamingIt(t *testing.T) {
	t.Parallel()
	res, err := GateK6([]byte(legacyExport(812.5, true, 0, 0)), K6ThresholdsFailed)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"k6 exited 99 (thresholds crossed)",
		"k6 threshold failed: http_req_duration p(95)<500 (p(95)=812.5ms)",
	}
	if res.Passed || !slices.Equal(res.Failures, want) {
		t.Errorf("passed=%v failures=%q\nwant %q", res.Passed, res.Failures, want)
	}
}

func TestGateK6_FailedChecksFailEvenWhenThresholdsPassAndK6ExitsZero(t *testing.T) {
	t.Parallel()
	// k6 #335: checks do not fail a k6 run; exit 0 and every threshold ok, yet 7 responses lacked the content.
	res, err := GateK6([]byte(legacyExport(25.3, false, 0, 7)), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := `k6 checks failed: 7 of 120 ("body has Pixels" 7 of 60)`
	if res.Passed || !slices.Equal(res.Failures, []string{want}) {
		t.Errorf("passed=%v failures=%q, want [%q]", res.Passed, res.Failures, want)
	}
	if res.Checks[0].Errors != 7 || res.Checks[1].Errors != 0 {
		t.Errorf("checks = %+v", res.Checks)
	}
}

func TestGateK6_ChecksInGroupsAndTheChecksMetricBothCount(t *testing.T) {
	t.Parallel()
	// A failing check inside a nested group; and a summary whose groups were trimmed but whose checks metric
	// still counts failures.
	nested := `{"root_group": {"name": "", "groups": {"home": {"name": "home", "groups": {}, "checks": {
	    "status is 200": {"name": "status is 200", "passes": 9, "fails": 1}}}}, "checks": {}},
	  "metrics": {"checks": {"passes": 9, "fails": 1, "value": 0.9}}}`
	res, err := GateK6([]byte(nested), 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || !slices.Equal(res.Failures, []string{`k6 checks failed: 1 of 10 ("home › status is 200" 1 of 10)`}) {
		t.Errorf("failures = %q", res.Failures)
	}
	metricOnly := `{"root_group": {"name": "", "groups": {}, "checks": {}},
	  "metrics": {"checks": {"passes": 40, "fails": 2, "value": 0.95}}}`
	res, err = GateK6([]byte(metricOnly), 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || !slices.Equal(res.Failures, []string{"k6 checks failed: 2 of 42"}) {
		t.Errorf("failures = %q", res.Failures)
	}
}

func TestGateK6_ReadsTheNewMachineReadableShape(t *testing.T) {
	t.Parallel()
	// handleSummary()-data shape (--new-machine-readable-summary): values nested, thresholds {"ok": bool}, arrays.
	summary := `{
	  "root_group": {"name": "", "path": "", "id": "x", "groups": [], "checks": [
	    {"name": "status is 200", "path": "::status is 200", "id": "y", "passes": 30, "fails": 0}]},
	  "metrics": {
	    "checks": {"type": "rate", "contains": "default", "values": {"rate": 1, "passes": 30, "fails": 0}},
	    "http_reqs": {"type": "counter", "contains": "default", "values": {"count": 30, "rate": 3}},
	    "http_req_failed": {"type": "rate", "contains": "default", "values": {"rate": 0.1, "passes": 3, "fails": 27},
	      "thresholds": {"rate<0.01": {"ok": false}}},
	    "http_req_duration": {"type": "trend", "contains": "time", "values": {"med": 9, "p(95)": 40, "max": 55},
	      "thresholds": {"p(95)<500": {"ok": true}}}
	  }
	}`
	res, err := GateK6([]byte(summary), K6ThresholdsFailed)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"k6 exited 99 (thresholds crossed)", "k6 threshold failed: http_req_failed rate<0.01 (rate=0.1)"}
	if res.Passed || !slices.Equal(res.Failures, want) {
		t.Errorf("failures = %q\nwant %q", res.Failures, want)
	}
	if res.Total.Requests != 30 || res.Total.Errors != 3 || res.Total.P95 != 40*time.Millisecond {
		t.Errorf("total = %+v", res.Total)
	}
}

func TestGateK6_NonZeroExitFailsEvenWithACleanSummary(t *testing.T) {
	t.Parallel()
	res, err := GateK6([]byte(legacyExport(25.3, false, 0, 0)), 107)
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || !slices.Equal(res.Failures, []string{"k6 exited 107 (script exception)"}) {
		t.Errorf("failures = %q", res.Failures)
	}
}

func TestGateK6_ScriptThatVerifiesNothingFails(t *testing.T) {
	t.Parallel()
	summary := `{"root_group": {"name": "", "groups": {}, "checks": {}},
	  "metrics": {"http_reqs": {"count": 10, "rate": 1}, "http_req_duration": {"med": 5, "p(95)": 9, "max": 12}}}`
	res, err := GateK6([]byte(summary), 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || !slices.Equal(res.Failures, []string{"k6 script declares no thresholds and ran no checks: nothing was verified"}) {
		t.Errorf("failures = %q", res.Failures)
	}
}

func TestGateK6_UnreadableSummaryIsAnErrorAndFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		summary string
		exit    int
		want    string
	}{
		{"", 107, "k6 summary (exit code 107): empty: k6 wrote no summary"},
		{"{not json", 0, "k6 summary (exit code 0): not JSON: line 1, column 2"},
		{`{"state": {}}`, 0, `k6 summary (exit code 0): no "metrics" and no "root_group"`},
		{`{"metrics": {"http_req_duration": {"thresholds": {"p(95)<500": "yes"}}}}`, 0,
			`k6 summary (exit code 0): metrics.http_req_duration: thresholds["p(95)<500"]: want true/false or {"ok": bool}`},
	} {
		res, err := GateK6([]byte(tc.summary), tc.exit)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("GateK6(%q) err = %v, want %q", tc.summary, err, tc.want)
		}
		if res.Passed || !slices.Contains(res.Failures, "k6 summary unreadable") {
			t.Errorf("GateK6(%q) = passed %v, failures %q", tc.summary, res.Passed, res.Failures)
		}
	}
}
