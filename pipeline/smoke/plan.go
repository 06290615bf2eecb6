// Package smoke gates a release on a short smoke test against the freshly deployed app.
//
// Two runners share one verdict type (Result):
//
//   - the built-in runner (Run): declared checks (path, expected status, expected body) are hit round-robin at a
//     constant rate for a short duration with vegeta as a library, and the release fails when the p95 latency or
//     the error rate crosses its threshold. A request is an error when it fails, returns another status than the
//     check expects, or its body does not match.
//   - k6 (K6Args, GateK6): when the app ships a k6 script the caller runs it (grafana/k6 image) with
//     --summary-export and gates on the export: any failed threshold, any failed check (k6 itself exits 0 when
//     checks fail, k6 #335), or a non-zero exit fails the release.
//
// The package does not import Dagger: the caller runs k6 and passes the outputs in.
package smoke

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
)

// PlanFile is the file an app ships at its root to declare its smoke test.
const PlanFile = "smoke.json"

// Defaults and limits of a Plan. A smoke test runs against production: the limits keep it a smoke test.
const (
	DefaultRate         = 10 // requests per second, across all checks
	DefaultDuration     = 10 * time.Second
	DefaultTimeout      = 5 * time.Second // per request, including reading the body
	DefaultP95          = 500 * time.Millisecond
	DefaultMaxErrorRate = 0.01

	MaxRate     = 500
	MaxDuration = 5 * time.Minute
	MaxTimeout  = time.Minute
	MaxChecks   = 50
	// MaxBodyBytes is how much of each response body is read and matched against ExpectBody.
	MaxBodyBytes = 1 << 20
)

// NoErrors as Thresholds.MaxErrorRate fails the smoke test on any error (0 means the default, 1%).
const NoErrors = math.SmallestNonzeroFloat64

// Check is one declared request and what its response must look like.
type Check struct {
	// Path is requested relative to the base URL; it starts with "/" and may carry a query.
	Path string `json:"path"`
	// Method is GET (default), HEAD or OPTIONS: checks are repeated many times against production, so only safe
	// methods are allowed.
	Method string `json:"method,omitempty"`
	// ExpectStatus is the exact status the response must have (default 200). Redirects are not followed.
	ExpectStatus int `json:"expectStatus,omitempty"`
	// ExpectBody is a substring the body must contain, or with the prefix "re:" a regular expression (RE2) it must
	// match. Empty: the body is not checked. Only the first MaxBodyBytes of the body are matched.
	ExpectBody string `json:"expectBody,omitempty"`
	// Header is sent with every request of the check (e.g. Host, Accept).
	Header map[string]string `json:"headers,omitempty"`
}

// Name is how the check is named in results and failures, e.g. "GET /healthz".
func (c Check) Name() string {
	m := c.Method
	if m == "" {
		m = http.MethodGet
	}
	return m + " " + c.Path
}

// Thresholds fail the smoke test when crossed.
type Thresholds struct {
	// P95 is the highest acceptable 95th percentile latency over all requests (0: DefaultP95).
	P95 time.Duration
	// MaxErrorRate is the highest acceptable fraction of errors over all requests, in [0, 1) (0: DefaultMaxErrorRate;
	// NoErrors to fail on any error).
	MaxErrorRate float64
}

// Plan is a built-in smoke test. Zero fields take their defaults.
type Plan struct {
	// BaseURL is where the app answers, e.g. the load balancer's URL (http or https). It is not part of the file:
	// the deploy knows it.
	BaseURL string
	Checks  []Check
	// Rate is requests per second over all checks (0: DefaultRate).
	Rate int
	// Duration is how long requests are sent (0: DefaultDuration).
	Duration time.Duration
	// Timeout bounds each request (0: DefaultTimeout).
	Timeout    time.Duration
	Thresholds Thresholds
}

// DefaultPlan is the smoke test of an app that ships no PlanFile: GET /healthz and GET / must return 200.
func DefaultPlan() Plan {
	return Plan{Checks: []Check{{Path: "/healthz"}, {Path: "/"}}}
}

// WithDefaults returns the plan with every zero field set to its default.
func (p Plan) WithDefaults() Plan {
	if p.Rate == 0 {
		p.Rate = DefaultRate
	}
	if p.Duration == 0 {
		p.Duration = DefaultDuration
	}
	if p.Timeout == 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Thresholds.P95 == 0 {
		p.Thresholds.P95 = DefaultP95
	}
	if p.Thresholds.MaxErrorRate == 0 {
		p.Thresholds.MaxErrorRate = DefaultMaxErrorRate
	}
	checks := make([]Check, len(p.Checks))
	for i, c := range p.Checks {
		if c.Method == "" {
			c.Method = http.MethodGet
		}
		if c.ExpectStatus == 0 {
			c.ExpectStatus = http.StatusOK
		}
		checks[i] = c
	}
	p.Checks = checks
	return p
}

// planFile is the JSON form of a Plan (PlanFile).
type planFile struct {
	Checks     []Check  `json:"checks"`
	Rate       *float64 `json:"rate"`
	Duration   *string  `json:"duration"`
	Timeout    *string  `json:"timeout"`
	Thresholds *struct {
		P95          *string  `json:"p95"`
		MaxErrorRate *float64 `json:"maxErrorRate"`
	} `json:"thresholds"`
}

// LoadPlan parses and validates a PlanFile, e.g.
//
//	{"checks": [{"path": "/healthz", "expectStatus": 200, "expectBody": "ok"}, {"path": "/", "expectBody": "Pixels"}],
//	 "rate": 10, "duration": "10s", "timeout": "5s", "thresholds": {"p95": "500ms", "maxErrorRate": 0.01}}
//
// Durations are Go durations ("500ms", "10s"); "maxErrorRate": 0 means no error is acceptable. The returned plan has
// its defaults applied and no BaseURL. Errors are one line, starting with "smoke plan: ".
func LoadPlan(data []byte) (Plan, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Plan{}, errors.New("smoke plan: the file is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f planFile
	if err := dec.Decode(&f); err != nil {
		return Plan{}, fmt.Errorf("smoke plan: %s", jsonError(data, err))
	}
	if dec.More() {
		return Plan{}, errors.New("smoke plan: unexpected data after the JSON object")
	}
	var p Plan
	p.Checks = f.Checks
	if f.Rate != nil {
		r := *f.Rate
		if r != math.Trunc(r) || r < 1 || r > MaxRate {
			return Plan{}, fmt.Errorf("smoke plan: rate %v: want a whole number of requests per second from 1 to %d", r, MaxRate)
		}
		p.Rate = int(r)
	}
	var err error
	if p.Duration, err = fileDuration("duration", f.Duration); err != nil {
		return Plan{}, err
	}
	if p.Timeout, err = fileDuration("timeout", f.Timeout); err != nil {
		return Plan{}, err
	}
	if t := f.Thresholds; t != nil {
		if p.Thresholds.P95, err = fileDuration("thresholds.p95", t.P95); err != nil {
			return Plan{}, err
		}
		if t.MaxErrorRate != nil {
			r := *t.MaxErrorRate
			if r < 0 || r >= 1 {
				return Plan{}, fmt.Errorf("smoke plan: thresholds.maxErrorRate %v: want a fraction from 0 to below 1 (0.01 is 1%%)", r)
			}
			p.Thresholds.MaxErrorRate = r
			if r == 0 {
				p.Thresholds.MaxErrorRate = NoErrors
			}
		}
	}
	p = p.WithDefaults()
	if err := p.validate(false); err != nil {
		return Plan{}, fmt.Errorf("smoke plan: %w", err)
	}
	return p, nil
}

func fileDuration(field string, s *string) (time.Duration, error) {
	if s == nil {
		return 0, nil
	}
	d, err := time.ParseDuration(*s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("smoke plan: %s %q: want a positive duration such as \"500ms\" or \"10s\"", field, *s)
	}
	return d, nil
}

// jsonError makes a decoding error one line with its position.
func jsonError(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%s: %s", position(data, syn.Offset), syn.Error())
	case errors.As(err, &typ):
		want := typ.Type.String()
		switch typ.Type.Kind() {
		case reflect.String:
			want = "a string"
		case reflect.Int, reflect.Float64:
			want = "a number"
		case reflect.Slice:
			want = "a list"
		case reflect.Map, reflect.Struct:
			want = "an object"
		}
		if typ.Field == "duration" || typ.Field == "timeout" || strings.HasSuffix(typ.Field, "p95") {
			want = "a duration string such as \"10s\""
		}
		return fmt.Sprintf("%s: %s is %s, want %s", position(data, typ.Offset), typ.Field, typ.Value, want)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the JSON ends early"
	}
	return strings.ReplaceAll(strings.TrimPrefix(err.Error(), "json: "), "\n", " ")
}

// position is the line and column of the byte before offset: the offending character of a syntax error, the end
// of the value of a type error.
func position(data []byte, offset int64) string {
	off := min(max(offset-1, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// Validate reports the first problem of the plan (with defaults applied) as one line, including the base URL.
func (p Plan) Validate() error { return p.WithDefaults().validate(true) }

func (p Plan) validate(needBase bool) error {
	if needBase {
		if _, err := baseURL(p.BaseURL); err != nil {
			return err
		}
	}
	switch {
	case len(p.Checks) == 0:
		return errors.New("no checks: declare at least one, e.g. {\"path\": \"/healthz\"}")
	case len(p.Checks) > MaxChecks:
		return fmt.Errorf("%d checks: at most %d", len(p.Checks), MaxChecks)
	case p.Rate < 1 || p.Rate > MaxRate:
		return fmt.Errorf("rate %d/s: want 1 to %d requests per second", p.Rate, MaxRate)
	case p.Duration < 100*time.Millisecond || p.Duration > MaxDuration:
		return fmt.Errorf("duration %s: want 100ms to %s", p.Duration, MaxDuration)
	case p.Timeout <= 0 || p.Timeout > MaxTimeout:
		return fmt.Errorf("timeout %s: want up to %s", p.Timeout, MaxTimeout)
	case p.Thresholds.P95 <= 0:
		return fmt.Errorf("thresholds.p95 %s: want a positive duration", p.Thresholds.P95)
	case p.Thresholds.MaxErrorRate < 0 || p.Thresholds.MaxErrorRate >= 1:
		return fmt.Errorf("thresholds.maxErrorRate %v: want a fraction from 0 to below 1", p.Thresholds.MaxErrorRate)
	}
	seen := map[string]int{}
	for i, c := range p.Checks {
		if _, err := compile(c); err != nil {
			return fmt.Errorf("check %d (%s): %w", i+1, c.Name(), err)
		}
		if j, dup := seen[c.Name()]; dup {
			return fmt.Errorf("check %d (%s) repeats check %d: results are reported per method and path", i+1, c.Name(), j+1)
		}
		seen[c.Name()] = i
	}
	return nil
}

// compiled is a check ready to judge responses.
type compiled struct {
	Check
	name  string
	re    *regexp.Regexp // ExpectBody "re:..."
	sub   []byte         // ExpectBody substring
	want  string         // the body expectation as written in failures
	index int
}

var safeMethods = map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodOptions: true}

func compile(c Check) (*compiled, error) {
	switch {
	case c.Path == "":
		return nil, errors.New("path is empty")
	case !strings.HasPrefix(c.Path, "/"):
		return nil, fmt.Errorf("path %q must start with \"/\"", c.Path)
	case strings.ContainsAny(c.Path, "# \t\r\n"):
		return nil, fmt.Errorf("path %q must not contain spaces or \"#\"", c.Path)
	}
	if _, err := url.ParseRequestURI(c.Path); err != nil {
		return nil, fmt.Errorf("path %q is not a valid request path", c.Path)
	}
	if !safeMethods[c.Method] {
		return nil, fmt.Errorf("method %q: want GET, HEAD or OPTIONS (a smoke test repeats its requests against production)", c.Method)
	}
	if c.ExpectStatus < 100 || c.ExpectStatus > 599 {
		return nil, fmt.Errorf("expectStatus %d is not an HTTP status", c.ExpectStatus)
	}
	for k, v := range c.Header {
		if !validHeaderName(k) {
			return nil, fmt.Errorf("header name %q is not valid", k)
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, fmt.Errorf("header %s: value must be one line", k)
		}
	}
	cc := &compiled{Check: c, name: c.Name()}
	if c.ExpectBody != "" {
		if c.Method == http.MethodHead {
			return nil, errors.New("expectBody on HEAD: a HEAD response has no body")
		}
		if expr, ok := strings.CutPrefix(c.ExpectBody, "re:"); ok {
			re, err := regexp.Compile(expr)
			if err != nil {
				return nil, fmt.Errorf("expectBody %q: %s", c.ExpectBody, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			}
			cc.re = re
			cc.want = "matching " + c.ExpectBody
		} else {
			cc.sub = []byte(c.ExpectBody)
			cc.want = fmt.Sprintf("containing %q", c.ExpectBody)
		}
	}
	return cc, nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", r) {
			return false
		}
	}
	return true
}

// baseURL parses and normalizes the base URL: http(s), a host, no query or fragment, no trailing slash.
func baseURL(s string) (string, error) {
	if s == "" {
		return "", errors.New("no base URL: the smoke test needs the app's URL, e.g. https://app.example.com")
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", errors.New("base URL is not a URL: want http(s)://host[:port][/path]")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("base URL %q: want http(s)://host[:port][/path]", redactURL(u))
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("base URL %q: must not carry a query, fragment or credentials", redactURL(u))
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func redactURL(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User("xxxxx")
	}
	c.RawQuery, c.Fragment = "", ""
	return c.String()
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
