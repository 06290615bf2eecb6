package smoke

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// userAgent is sent unless a check sets its own.
const userAgent = "pixelsandpetals-delivery-smoke/1"

// Run sends the plan's checks round-robin to its base URL at the plan's rate for its duration and judges the
// responses. progress (may be nil) gets a start line, a line per second and an end line.
//
// Run is bounded: requests stop after the duration, each request is bounded by the timeout, and the whole run
// by duration + timeout + 5s. When ctx ends, the attack stops, requests in flight are abandoned, and Run returns
// the figures so far (Passed false, Cancelled true) with an error. An invalid plan is an error and sends nothing.
// Otherwise the error is nil and Result.Passed is the verdict.
func Run(ctx context.Context, p Plan, progress io.Writer) (Result, error) {
	if progress == nil {
		progress = io.Discard
	}
	p = p.WithDefaults()
	if err := p.validate(true); err != nil {
		return Result{}, fmt.Errorf("smoke test: %w", err)
	}
	base, _ := baseURL(p.BaseURL)

	checks := make([]*compiled, len(p.Checks))
	byTarget := make(map[string]*tally, len(p.Checks)) // "METHOD URL" → tally
	targets := make([]vegeta.Target, len(p.Checks))
	tallies := make([]*tally, len(p.Checks))
	for i, c := range p.Checks {
		cc, _ := compile(c) // validated above
		cc.index = i
		checks[i] = cc
		hdr := http.Header{"User-Agent": {userAgent}}
		for _, k := range sortedKeys(c.Header) {
			hdr.Set(k, c.Header[k])
		}
		targets[i] = vegeta.Target{Method: c.Method, URL: base + c.Path, Header: hdr}
		tallies[i] = &tally{check: cc}
		byTarget[c.Method+" "+targets[i].URL] = tallies[i]
	}
	total := &tally{}

	runCtx, abandon := context.WithCancel(ctx)
	defer abandon()
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: p.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   p.Timeout,
		ResponseHeaderTimeout: p.Timeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   maxWorkers(p),
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Timeout:       p.Timeout,
		Transport:     &abandoningTransport{ctx: runCtx, next: transport},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	attacker := vegeta.NewAttacker(
		vegeta.Client(client),
		vegeta.Workers(uint64(min(p.Rate, 10))),
		vegeta.MaxWorkers(uint64(maxWorkers(p))),
		vegeta.MaxBody(MaxBodyBytes),
	)

	res := Result{
		Runner: RunnerBuiltin, BaseURL: base, Rate: p.Rate, Duration: p.Duration, Thresholds: p.Thresholds,
	}
	progressf(progress, "smoke: %s at %d/s for %s against %s (p95 ≤ %s, errors ≤ %s)\n",
		plural(len(checks), "check"), p.Rate, fmtDuration(p.Duration), base, fmtDuration(p.Thresholds.P95),
		fmtPercent(p.Thresholds.MaxErrorRate))

	start := time.Now()
	results := attacker.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: p.Rate, Per: time.Second},
		p.Duration, "smoke")
	hardStop := time.NewTimer(p.Duration + p.Timeout + 5*time.Second)
	defer hardStop.Stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()

	var overran bool
	done := ctx.Done()
	stop := func() {
		attacker.Stop()
		abandon() // requests in flight return at once
	}
collect:
	for {
		select {
		case r, ok := <-results:
			if !ok {
				break collect
			}
			if runCtx.Err() != nil && r.Code == 0 {
				continue // abandoned by us, not an error of the app
			}
			t := byTarget[r.Method+" "+r.URL]
			if t == nil { // cannot happen: every URL comes from targets
				continue
			}
			reason, detail := t.check.judge(r)
			t.add(r, reason, detail)
			total.add(r, reason, detail)
		case <-done:
			done = nil
			res.Cancelled = true
			stop()
		case <-hardStop.C:
			overran = true
			stop()
			// Results still arriving are abandoned requests; drain them in the background and report now.
			go func() {
				for range results {
				}
			}()
			break collect
		case <-tick.C:
			progressf(progress, "smoke: %s %d requests, %d errors\n",
				fmtDuration(time.Since(start).Round(time.Second)), total.requests, total.errors)
		}
	}
	res.Elapsed = time.Since(start)

	res.Total = total.stats()
	for _, t := range tallies {
		res.Checks = append(res.Checks, t.result())
	}
	judge(&res, p)
	if overran {
		res.fail("the smoke test did not finish within %s", fmtDuration(p.Duration+p.Timeout+5*time.Second))
		res.Passed = false
	}
	if res.Cancelled {
		res.fail("cancelled after %s of %s", fmtDuration(res.Elapsed), fmtDuration(p.Duration))
		res.Passed = false
	}
	verdict := "passed"
	if !res.Passed {
		verdict = "FAILED: " + strings.Join(res.Failures, "; ")
	}
	progressf(progress, "smoke: %d requests, %d errors, p95 %s in %s: %s\n", res.Total.Requests, res.Total.Errors,
		fmtLatency(res.Total.P95), fmtDuration(res.Elapsed), verdict)
	if res.Cancelled {
		return res, fmt.Errorf("smoke test cancelled after %s: %w", fmtDuration(res.Elapsed), context.Cause(ctx))
	}
	return res, nil
}

// maxWorkers bounds concurrent requests: enough to keep the rate while every request waits its full timeout,
// capped so a hanging app cannot make the smoke test open thousands of connections.
func maxWorkers(p Plan) int {
	n := int(float64(p.Rate)*p.Timeout.Seconds()) + 1
	return max(1, min(n, 256))
}

// judge sets Passed and Failures from the figures and thresholds.
func judge(res *Result, p Plan) {
	t := res.Total
	if t.Requests == 0 {
		res.fail("no request completed")
	}
	if t.Requests > 0 {
		if rate := float64(t.Errors) / float64(t.Requests); rate > p.Thresholds.MaxErrorRate {
			var which []string
			for _, c := range res.Checks {
				if c.Errors > 0 {
					which = append(which, fmtReasons(c))
				}
			}
			res.fail("error rate %s > %s (%s)", fmtPercent(rate), fmtPercent(p.Thresholds.MaxErrorRate),
				strings.Join(which, "; "))
		}
		if t.P95 > p.Thresholds.P95 {
			msg := fmt.Sprintf("p95 %s > %s", fmtDuration(t.P95), fmtDuration(p.Thresholds.P95))
			if len(res.Checks) > 1 {
				slowest := res.Checks[0]
				for _, c := range res.Checks[1:] {
					if c.P95 > slowest.P95 {
						slowest = c
					}
				}
				msg += fmt.Sprintf(" (slowest: %s p95 %s)", slowest.Name, fmtDuration(slowest.P95))
			}
			res.fail("%s", msg)
		}
	}
	res.Passed = len(res.Failures) == 0
}

// judge returns why a response is an error ("" when it is fine) and a one-line detail for FirstErrors.
func (c *compiled) judge(r *vegeta.Result) (reason, detail string) {
	if r.Code == 0 {
		return requestReason(r.Error), c.name + ": " + r.Error
	}
	if int(r.Code) != c.ExpectStatus {
		return "returned " + strconv.Itoa(int(r.Code)),
			fmt.Sprintf("%s: status %d, want %d", c.name, r.Code, c.ExpectStatus)
	}
	if c.re != nil && !c.re.Match(r.Body) || c.sub != nil && !bytes.Contains(r.Body, c.sub) {
		return "body not " + c.want, fmt.Sprintf("%s: body not %s: got %s", c.name, c.want, snippet(r.Body))
	}
	return "", ""
}

// requestReason groups request errors so that per-check reasons stay few (the raw errors carry ports and URLs).
func requestReason(err string) string {
	e := strings.ToLower(err)
	switch {
	case strings.Contains(e, "timeout") || strings.Contains(e, "deadline exceeded"):
		return "timed out"
	case strings.Contains(e, "connection refused"):
		return "connection refused"
	case strings.Contains(e, "connection reset"):
		return "connection reset"
	case strings.Contains(e, "no such host"):
		return "host not found"
	case strings.Contains(e, "eof"):
		return "connection closed early"
	case strings.Contains(e, "tls") || strings.Contains(e, "x509") || strings.Contains(e, "certificate"):
		return "TLS failure"
	}
	return "request failed"
}

// snippet quotes the start of a body for an error line.
func snippet(b []byte) string {
	const n = 80
	if len(b) == 0 {
		return "an empty body"
	}
	s := b
	if len(s) > n {
		s = s[:n]
		for len(s) > 0 && !utf8.Valid(s) {
			s = s[:len(s)-1]
		}
	}
	q := strconv.Quote(string(s))
	if len(b) > n {
		q += "…"
	}
	return q
}

// tally accumulates one check's (or all) results. Only Run's collecting loop touches it.
type tally struct {
	check            *compiled
	metrics          vegeta.Metrics
	requests, errors int
	reasons          map[string]int
	firstErrors      []string
}

func (t *tally) add(r *vegeta.Result, reason, detail string) {
	t.requests++
	// vegeta's Metrics keeps every distinct error string; ours are judged above, so it gets none.
	m := *r
	m.Error, m.Body = "", nil
	t.metrics.Add(&m)
	if reason == "" {
		return
	}
	t.errors++
	if t.reasons == nil {
		t.reasons = map[string]int{}
	}
	t.reasons[reason]++
	if len(t.firstErrors) < maxDistinctErrors {
		for _, e := range t.firstErrors {
			if e == detail {
				return
			}
		}
		t.firstErrors = append(t.firstErrors, detail)
	}
}

func (t *tally) stats() Stats {
	t.metrics.Close()
	s := Stats{Requests: t.requests, Errors: t.errors, FirstErrors: t.firstErrors}
	if t.requests == 0 {
		return s
	}
	s.SuccessRatio = float64(t.requests-t.errors) / float64(t.requests)
	l := t.metrics.Latencies
	s.P50, s.P95, s.P99, s.Max = l.P50, l.P95, l.P99, l.Max
	s.StatusCodes = make(map[int]int, len(t.metrics.StatusCodes))
	for code, n := range t.metrics.StatusCodes {
		c, _ := strconv.Atoi(code)
		s.StatusCodes[c] += n
	}
	return s
}

func (t *tally) result() CheckResult {
	return CheckResult{Name: t.check.name, Stats: t.stats(), Reasons: t.reasons}
}

// abandoningTransport ends requests in flight when ctx ends (vegeta builds its requests without a context), while
// keeping the client's own per-request timeout.
type abandoningTransport struct {
	ctx  context.Context
	next http.RoundTripper
}

func (t *abandoningTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	stop := context.AfterFunc(t.ctx, cancel)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		stop()
		cancel()
		if t.ctx.Err() != nil {
			return nil, errors.Join(errors.New("smoke test stopped"), err)
		}
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: func() { stop(); cancel() }}
	return resp, nil
}

type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// progressf writes to the progress writer. Progress is best-effort: a failed write must not fail the smoke test.
func progressf(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format, args...)
}
