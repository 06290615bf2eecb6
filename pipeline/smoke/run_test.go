package smoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The tests send traffic only to httptest servers on 127.0.0.1, for about a second each, and assert verdicts
// and what failures name, never exact counts or latencies (the machine is shared and loaded).

// reply writes a stand-in handler's body. A failed write means the client went away, which the runner under
// test sees and counts on its side; the handler has nothing to add.
func reply(w io.Writer, body string) { _, _ = io.WriteString(w, body) }

// app is a small stand-in for the deployed web app.
func app(t *testing.T, healthz http.HandlerFunc) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	if healthz == nil {
		healthz = func(w http.ResponseWriter, _ *http.Request) { reply(w, "ok\n") }
	}
	mux.HandleFunc("/healthz", healthz)
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, "<!doctype html><title>Pixels and Petals</title>")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// shortPlan is one second at 50/s: enough requests to judge, short enough for a shared machine.
func shortPlan(base string, checks ...Check) Plan {
	if len(checks) == 0 {
		checks = []Check{{Path: "/healthz", ExpectBody: "ok"}, {Path: "/", ExpectBody: "Pixels"}}
	}
	return Plan{BaseURL: base, Checks: checks, Rate: 50, Duration: time.Second, Timeout: 2 * time.Second}
}

func run(t *testing.T, p Plan) (Result, string) {
	t.Helper()
	var progress bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := Run(ctx, p, &progress)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("\n%s", res)
	return res, progress.String()
}

func failureWith(res Result, prefix string) string {
	for _, f := range res.Failures {
		if strings.HasPrefix(f, prefix) {
			return f
		}
	}
	return ""
}

func TestRun_HealthyAppPassesWithRealisticP95(t *testing.T) {
	t.Parallel()
	srv := app(t, nil)
	res, progress := run(t, shortPlan(srv.URL))

	if !res.Passed || len(res.Failures) != 0 {
		t.Fatalf("healthy app failed: %v", res.Failures)
	}
	if res.Total.Requests < 10 {
		t.Errorf("only %d requests in 1s at 50/s", res.Total.Requests)
	}
	if res.Total.Errors != 0 || res.Total.SuccessRatio != 1 || res.Total.StatusCodes[200] != res.Total.Requests {
		t.Errorf("total = %+v, want all 200 and no errors", res.Total)
	}
	if res.Total.P95 <= 0 || res.Total.P95 > DefaultP95 || res.Total.Max < res.Total.P95 || res.Total.P50 > res.Total.P95 {
		t.Errorf("latencies p50 %s p95 %s max %s: want 0 < p50 ≤ p95 ≤ 500ms, p95 ≤ max",
			res.Total.P50, res.Total.P95, res.Total.Max)
	}
	if len(res.Checks) != 2 || res.Checks[0].Name != "GET /healthz" || res.Checks[1].Name != "GET /" {
		t.Fatalf("checks = %+v", res.Checks)
	}
	for _, c := range res.Checks {
		if c.Requests == 0 { // round-robin: both are hit
			t.Errorf("%s got no request", c.Name)
		}
	}
	if res.Checks[0].Requests+res.Checks[1].Requests != res.Total.Requests {
		t.Errorf("per-check requests do not add up to the total")
	}
	table := res.String()
	for _, want := range []string{"smoke test (built-in) PASSED", "GET /healthz", "GET /", "total", "200×"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if !strings.HasPrefix(progress, "smoke: 2 checks at 50/s for 1s against "+srv.URL) ||
		!strings.Contains(progress, ": passed\n") {
		t.Errorf("progress:\n%s", progress)
	}
}

func TestRun_HealthzReturning503OnOneRequestInFiveFailsNamingErrorRateAndPath(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := app(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1)%5 == 1 { // the 1st, 6th, 11th...: 20% of /healthz, even on a slow run
			http.Error(w, "draining", http.StatusServiceUnavailable)
			return
		}
		reply(w, "ok\n")
	})
	res, _ := run(t, shortPlan(srv.URL))

	if res.Passed {
		t.Fatal("passed although /healthz returned 503 on 20% of requests")
	}
	f := failureWith(res, "error rate ")
	if f == "" {
		t.Fatalf("no error-rate failure in %q", res.Failures)
	}
	if !strings.Contains(f, "> 1.0% (GET /healthz: ") || !strings.Contains(f, "returned 503)") {
		t.Errorf("failure %q does not name the threshold, the path and the status", f)
	}
	if strings.Contains(f, "GET /:") {
		t.Errorf("failure %q names the healthy check", f)
	}
	hz := res.Checks[0]
	if hz.Errors == 0 || hz.Reasons["returned 503"] != hz.Errors || hz.StatusCodes[503] != hz.Errors {
		t.Errorf("/healthz = %+v, want its errors all 503s", hz)
	}
	if res.Checks[1].Errors != 0 {
		t.Errorf("GET / has %d errors", res.Checks[1].Errors)
	}
	if len(res.Total.FirstErrors) == 0 || res.Total.FirstErrors[0] != "GET /healthz: status 503, want 200" {
		t.Errorf("first errors = %q", res.Total.FirstErrors)
	}
}

func TestRun_SlowHandlerFailsNamingP95(t *testing.T) {
	t.Parallel()
	srv := app(t, func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(50 * time.Millisecond)
		reply(w, "ok\n")
	})
	p := shortPlan(srv.URL, Check{Path: "/healthz"})
	p.Rate = 20
	p.Thresholds.P95 = 20 * time.Millisecond
	res, _ := run(t, p)

	if res.Passed {
		t.Fatal("passed although every response took 50ms against a 20ms p95")
	}
	f := failureWith(res, "p95 ")
	if f == "" || !strings.HasSuffix(f, " > 20ms") {
		t.Fatalf("failures %q: want one like \"p95 51ms > 20ms\"", res.Failures)
	}
	if res.Total.P95 < 50*time.Millisecond {
		t.Errorf("p95 %s is below the handler's sleep", res.Total.P95)
	}
	if failureWith(res, "error rate") != "" {
		t.Errorf("slow but correct responses counted as errors: %q", res.Failures)
	}
}

func TestRun_SlowestCheckIsNamedWhenP95Fails(t *testing.T) {
	t.Parallel()
	srv := app(t, func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(40 * time.Millisecond)
		reply(w, "ok\n")
	})
	p := shortPlan(srv.URL)
	p.Rate = 20
	p.Thresholds.P95 = 10 * time.Millisecond
	res, _ := run(t, p)
	if f := failureWith(res, "p95 "); !strings.Contains(f, "(slowest: GET /healthz p95 ") {
		t.Errorf("failures %q do not name GET /healthz as the slowest", res.Failures)
	}
}

func TestRun_BodyMismatchFailsNamingTheExpectation(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { reply(w, "<h1>Welcome to nginx!</h1>") })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	res, _ := run(t, shortPlan(srv.URL, Check{Path: "/", ExpectBody: "Pixels"}))

	if res.Passed {
		t.Fatal("passed although the body lacks \"Pixels\" (the default nginx page was served)")
	}
	f := failureWith(res, "error rate 100.0% > 1.0% ")
	if !strings.Contains(f, `(GET /: `) || !strings.Contains(f, `body not containing "Pixels")`) {
		t.Errorf("failures %q do not name the body expectation", res.Failures)
	}
	want := `GET /: body not containing "Pixels": got "<h1>Welcome to nginx!</h1>"`
	if len(res.Total.FirstErrors) != 1 || res.Total.FirstErrors[0] != want {
		t.Errorf("first errors = %q, want [%q] (one distinct error)", res.Total.FirstErrors, want)
	}
	if res.Total.StatusCodes[200] != res.Total.Requests {
		t.Errorf("status codes %v: the mismatches are 200s", res.Total.StatusCodes)
	}
}

func TestRun_BodyExpectationsSubstringAndRegexp(t *testing.T) {
	t.Parallel()
	srv := app(t, nil) // /healthz: "ok\n"
	for _, tc := range []struct {
		expect string
		pass   bool
	}{
		{"ok", true},
		{`re:^ok\s*$`, true},
		{"re:^ok$", false}, // RE2's $ is the end of the text, after the newline
		{"OK", false},
	} {
		p := shortPlan(srv.URL, Check{Path: "/healthz", ExpectBody: tc.expect})
		p.Rate, p.Duration = 20, 300*time.Millisecond
		res, _ := run(t, p)
		if res.Passed != tc.pass {
			t.Errorf("expectBody %q: passed = %v, want %v (%q)", tc.expect, res.Passed, tc.pass, res.Failures)
		}
		if !tc.pass && !strings.Contains(strings.Join(res.Failures, ""), "body not ") {
			t.Errorf("expectBody %q: failures %q do not name the body", tc.expect, res.Failures)
		}
	}
}

func TestRun_ExpectedNon200StatusesAndRedirectsAreJudgedAsDeclared(t *testing.T) {
	t.Parallel()
	var hostSeen sync.Map
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/", http.StatusMovedPermanently) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		hostSeen.Store(r.Host, true)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	res, _ := run(t, shortPlan(srv.URL,
		Check{Path: "/missing", ExpectStatus: 404, Header: map[string]string{"Host": "pixels.example"}},
		Check{Path: "/old", ExpectStatus: 301}, // not followed
	))
	if !res.Passed {
		t.Fatalf("declared 404 and 301 failed: %q", res.Failures)
	}
	if _, ok := hostSeen.Load("pixels.example"); !ok {
		t.Error("the check's Host header was not sent")
	}
}

func TestRun_UnreachableAppFailsNamingTheConnectionError(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil { // nothing listens there now
		t.Fatal(err)
	}

	p := shortPlan("http://"+addr, Check{Path: "/healthz"})
	p.Rate, p.Duration = 20, 300*time.Millisecond
	res, _ := run(t, p)
	if res.Passed {
		t.Fatal("passed against a closed port")
	}
	if f := failureWith(res, "error rate 100.0%"); !strings.Contains(f, "GET /healthz: ") ||
		!strings.Contains(f, "connection refused") {
		t.Errorf("failures %q do not name the refused connection", res.Failures)
	}
	if res.Total.StatusCodes[0] != res.Total.Requests {
		t.Errorf("status codes %v: want all \"no response\" (0)", res.Total.StatusCodes)
	}
}

func TestRun_CancellationStopsEarly(t *testing.T) {
	t.Parallel()
	// /healthz answers; / hangs until the client goes away (bounded at 10s), so requests are in flight at cancel.
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { reply(w, "ok\n") })
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	p := shortPlan(srv.URL, Check{Path: "/healthz"}, Check{Path: "/"})
	p.Duration, p.Timeout = 30*time.Second, 20*time.Second
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	defer cancel()

	start := time.Now()
	res, err := Run(ctx, p, nil)
	took := time.Since(start)

	if took > 5*time.Second {
		t.Fatalf("Run took %s after cancellation at 300ms of a 30s plan", took)
	}
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "smoke test cancelled after ") {
		t.Errorf("err = %v, want a cancellation", err)
	}
	if res.Passed || !res.Cancelled || failureWith(res, "cancelled after ") == "" {
		t.Errorf("result passed=%v cancelled=%v failures=%q", res.Passed, res.Cancelled, res.Failures)
	}
	if res.Checks[0].Requests == 0 {
		t.Error("no figures kept from before the cancellation")
	}
	if res.Checks[1].Errors != 0 {
		t.Errorf("requests abandoned by the cancellation counted as app errors: %+v", res.Checks[1])
	}
}

func TestRun_InvalidPlanSendsNothing(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := app(t, func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) })
	for _, tc := range []struct {
		plan Plan
		want string
	}{
		{Plan{Checks: DefaultPlan().Checks}, "smoke test: no base URL"},
		{Plan{BaseURL: "ftp://127.0.0.1", Checks: DefaultPlan().Checks}, `smoke test: base URL "ftp://127.0.0.1": want http(s)://`},
		{Plan{BaseURL: "http://user:hunter2@127.0.0.1/?x=1", Checks: DefaultPlan().Checks}, "must not carry a query, fragment or credentials"},
		{Plan{BaseURL: srv.URL}, "smoke test: no checks"},
		{Plan{BaseURL: srv.URL, Checks: []Check{{Path: "/healthz", Method: "DELETE"}}}, `method "DELETE"`},
	} {
		_, err := Run(context.Background(), tc.plan, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Run(%+v) = %v, want %q", tc.plan, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error prints the URL's password: %v", err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("%d requests sent for invalid plans", hits.Load())
	}
}

func TestResult_JSONHasFiguresInMilliseconds(t *testing.T) {
	t.Parallel()
	res := Result{
		Runner: RunnerBuiltin, Passed: false, Failures: []string{"p95 812ms > 500ms"},
		Total:  Stats{Requests: 100, Errors: 0, SuccessRatio: 1, P95: 812 * time.Millisecond, StatusCodes: map[int]int{200: 100}},
		Checks: []CheckResult{{Name: "GET /", Stats: Stats{Requests: 100, P50: 1500 * time.Microsecond}, Reasons: map[string]int{"returned 503": 2}}},
		Rate:   10, Duration: 10 * time.Second, Thresholds: Thresholds{P95: DefaultP95, MaxErrorRate: NoErrors},
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	total := got["total"].(map[string]any)
	check := got["checks"].([]any)[0].(map[string]any)
	if total["p95Ms"] != 812.0 || check["p50Ms"] != 1.5 || check["name"] != "GET /" || check["reasons"] == nil ||
		got["durationMs"] != 10000.0 || got["p95ThresholdMs"] != 500.0 || got["maxErrorRate"] != 0.0 ||
		got["passed"] != false || total["statusCodes"].(map[string]any)["200"] != 100.0 {
		t.Errorf("JSON = %s", data)
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		812*time.Millisecond + 300*time.Microsecond: "812ms",
		1234 * time.Millisecond:                     "1.23s",
		3456 * time.Microsecond:                     "3.5ms",
		250 * time.Microsecond:                      "250µs",
	} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%s) = %q, want %q", d, got, want)
		}
	}
	for f, want := range map[float64]string{0.12: "12.0%", 0.01: "1.0%", NoErrors: "0%", 0.0005: "0.05%"} {
		if got := fmtPercent(f); got != want {
			t.Errorf("fmtPercent(%v) = %q, want %q", f, got, want)
		}
	}
	c := CheckResult{Name: "GET /healthz", Stats: Stats{Requests: 100, Errors: 12}, Reasons: map[string]int{"returned 503": 12}}
	if got := fmtReasons(c); got != "GET /healthz: 12 of 100 returned 503" {
		t.Errorf("fmtReasons = %q", got)
	}
	c.Reasons = map[string]int{"returned 503": 10, "timed out": 2}
	if got := fmtReasons(c); got != "GET /healthz: 12 of 100 failed (10 returned 503, 2 timed out)" {
		t.Errorf("fmtReasons = %q", got)
	}
}
