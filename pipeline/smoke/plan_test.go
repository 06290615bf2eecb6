package smoke

import (
	"strings"
	"testing"
	"time"
)

func TestLoadPlan_ReadsTheFileAnAppShips(t *testing.T) {
	t.Parallel()
	p, err := LoadPlan([]byte(`{
  "checks": [
    {"path": "/healthz", "expectStatus": 200, "expectBody": "ok"},
    {"path": "/", "expectBody": "Pixels", "headers": {"Accept": "text/html"}},
    {"path": "/api/version", "method": "HEAD"}
  ],
  "rate": 10, "duration": "10s", "timeout": "3s",
  "thresholds": {"p95": "500ms", "maxErrorRate": 0.02}
}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Checks) != 3 || p.Checks[0].Name() != "GET /healthz" || p.Checks[0].ExpectStatus != 200 || p.Checks[0].ExpectBody != "ok" ||
		p.Checks[1].Header["Accept"] != "text/html" || p.Checks[1].ExpectStatus != 200 || p.Checks[2].Method != "HEAD" {
		t.Errorf("checks = %+v", p.Checks)
	}
	if p.Rate != 10 || p.Duration != 10*time.Second || p.Timeout != 3*time.Second ||
		p.Thresholds != (Thresholds{P95: 500 * time.Millisecond, MaxErrorRate: 0.02}) {
		t.Errorf("plan = %+v", p)
	}
	if p.BaseURL != "" {
		t.Errorf("base URL %q comes from the file; the deploy sets it", p.BaseURL)
	}
}

func TestLoadPlan_OmittedFieldsTakeDefaults(t *testing.T) {
	t.Parallel()
	p, err := LoadPlan([]byte(`{"checks": [{"path": "/healthz"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Plan{
		Checks: []Check{{Path: "/healthz", Method: "GET", ExpectStatus: 200}},
		Rate:   10, Duration: 10 * time.Second, Timeout: 5 * time.Second,
		Thresholds: Thresholds{P95: 500 * time.Millisecond, MaxErrorRate: 0.01},
	}
	if p.Rate != want.Rate || p.Duration != want.Duration || p.Timeout != want.Timeout ||
		p.Thresholds != want.Thresholds || len(p.Checks) != 1 || p.Checks[0].Method != "GET" || p.Checks[0].ExpectStatus != 200 {
		t.Errorf("plan = %+v, want %+v", p, want)
	}
}

func TestLoadPlan_ZeroMaxErrorRateAllowsNoError(t *testing.T) {
	t.Parallel()
	p, err := LoadPlan([]byte(`{"checks": [{"path": "/"}], "thresholds": {"maxErrorRate": 0}}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Thresholds.MaxErrorRate != NoErrors || !(1.0/1e6 > p.Thresholds.MaxErrorRate) {
		t.Errorf("maxErrorRate 0 became %v, want NoErrors", p.Thresholds.MaxErrorRate)
	}
}

func TestLoadPlan_ErrorsAreOneClearLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ file, want string }{
		{``, "smoke plan: the file is empty"},
		{`{"checks": [{"path": "/"}],}`, "smoke plan: line 1, column 28: invalid character '}'"},
		{"{\n  \"checks\": [\n    {\"path\": \"/\" \"expectBody\": 1}\n  ]\n}", "smoke plan: line 3, column 18: invalid character"},
		{`{"checks": [{"path": "/"}]`, "smoke plan: the JSON ends early"},
		{`{"checks": [{"path": "/", "expectedStatus": 200}]}`, `smoke plan: unknown field "expectedStatus"`},
		{`{"checks": [{"path": "/", "expectStatus": "200"}]}`, "smoke plan: line 1, column 47: checks.expectStatus is string, want a number"},
		{`{"checks": [{"path": "/"}], "duration": 10}`, `smoke plan: line 1, column 42: duration is number, want a duration string such as "10s"`},
		{`{"checks": [{"path": "/"}], "duration": "10"}`, `smoke plan: duration "10": want a positive duration such as "500ms" or "10s"`},
		{`{"checks": [{"path": "/"}], "thresholds": {"p95": "fast"}}`, `smoke plan: thresholds.p95 "fast": want a positive duration`},
		{`{"checks": [{"path": "/"}], "thresholds": {"maxErrorRate": 5}}`, "smoke plan: thresholds.maxErrorRate 5: want a fraction from 0 to below 1 (0.01 is 1%)"},
		{`{"checks": [{"path": "/"}], "rate": 10000}`, "smoke plan: rate 10000: want a whole number of requests per second from 1 to 500"},
		{`{"checks": [{"path": "/"}], "rate": 2.5}`, "smoke plan: rate 2.5: want a whole number"},
		{`{"checks": [{"path": "/"}], "duration": "1h"}`, "smoke plan: duration 1h0m0s: want 100ms to 5m0s"},
		{`{"checks": []}`, `smoke plan: no checks: declare at least one, e.g. {"path": "/healthz"}`},
		{`{"rate": 10}`, "smoke plan: no checks"},
		{`{"checks": [{"path": "healthz"}]}`, `smoke plan: check 1 (GET healthz): path "healthz" must start with "/"`},
		{`{"checks": [{"path": "/a"}, {"method": "POST", "path": "/orders"}]}`, `smoke plan: check 2 (POST /orders): method "POST": want GET, HEAD or OPTIONS`},
		{`{"checks": [{"path": "/", "expectBody": "re:(unclosed"}]}`, `smoke plan: check 1 (GET /): expectBody "re:(unclosed": missing closing ): ` + "`(unclosed`"},
		{`{"checks": [{"path": "/", "expectStatus": 999}]}`, "smoke plan: check 1 (GET /): expectStatus 999 is not an HTTP status"},
		{`{"checks": [{"path": "/", "method": "HEAD", "expectBody": "x"}]}`, "smoke plan: check 1 (HEAD /): expectBody on HEAD: a HEAD response has no body"},
		{`{"checks": [{"path": "/", "headers": {"Bad Name": "x"}}]}`, `smoke plan: check 1 (GET /): header name "Bad Name" is not valid`},
		{`{"checks": [{"path": "/"}, {"path": "/", "expectBody": "x"}]}`, "smoke plan: check 2 (GET /) repeats check 1"},
		{`{"checks": [{"path": "/"}]} {}`, "smoke plan: unexpected data after the JSON object"},
	} {
		_, err := LoadPlan([]byte(tc.file))
		if err == nil {
			t.Errorf("LoadPlan(%s) accepted it, want %q", tc.file, tc.want)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, tc.want) || strings.Contains(msg, "\n") {
			t.Errorf("LoadPlan(%s)\n  = %q\nwant %q... on one line", tc.file, msg, tc.want)
		}
	}
}

func TestDefaultPlan_ChecksHealthzAndRootFor200(t *testing.T) {
	t.Parallel()
	p := DefaultPlan().WithDefaults()
	if len(p.Checks) != 2 || p.Checks[0].Name() != "GET /healthz" || p.Checks[1].Name() != "GET /" ||
		p.Checks[0].ExpectStatus != 200 || p.Checks[1].ExpectStatus != 200 || p.Checks[0].ExpectBody != "" {
		t.Errorf("default plan = %+v", p.Checks)
	}
	if err := p.validate(false); err != nil {
		t.Errorf("default plan invalid: %v", err)
	}
	p.BaseURL = "https://app.example.com/"
	if err := p.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}
