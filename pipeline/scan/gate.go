package scan

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Severities are trivy's severity names, highest first.
var Severities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"}

// DefaultSeverities is the gate's default: what trivy-action users set, and what a release should not ship with.
var DefaultSeverities = []string{"HIGH", "CRITICAL"}

// rank orders severities; higher is worse. Anything unrecognised ranks with UNKNOWN.
func rank(sev string) int {
	switch sev {
	case "CRITICAL":
		return 4
	case "HIGH":
		return 3
	case "MEDIUM":
		return 2
	case "LOW":
		return 1
	}
	return 0
}

// ParseSeverities reads the gate's severity argument: a comma-separated set ("HIGH,CRITICAL", like trivy's
// --severity) or a threshold with a trailing + ("MEDIUM+" = MEDIUM, HIGH, CRITICAL). Case and spaces are ignored;
// empty means DefaultSeverities.
func ParseSeverities(s string) ([]string, error) {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if s == "" {
		return append([]string(nil), DefaultSeverities...), nil
	}
	if base, ok := strings.CutSuffix(s, "+"); ok {
		if !known(base) {
			return nil, fmt.Errorf("unknown severity %q in %q: use one of %s", base, s, strings.Join(Severities, ", "))
		}
		var out []string
		for _, sev := range Severities {
			if rank(sev) >= rank(base) {
				out = append(out, sev)
			}
		}
		return out, nil
	}
	var out []string
	for _, sev := range strings.Split(s, ",") {
		if !known(sev) {
			return nil, fmt.Errorf("unknown severity %q in %q: use one of %s (or e.g. MEDIUM+ for MEDIUM and above)",
				sev, s, strings.Join(Severities, ", "))
		}
		out = append(out, sev)
	}
	return out, nil
}

func known(sev string) bool {
	for _, s := range Severities {
		if s == sev {
			return true
		}
	}
	return false
}

// Policy decides which findings block.
type Policy struct {
	// Severities is the set of severities that block; empty means DefaultSeverities (HIGH, CRITICAL).
	Severities []string
	// IgnoreUnfixed lets vulnerabilities without a fixed version pass (secrets and misconfigurations still block).
	IgnoreUnfixed bool
}

// Kind of finding.
type Kind string

const (
	KindVulnerability    Kind = "vulnerability"
	KindSecret           Kind = "secret"
	KindMisconfiguration Kind = "misconfiguration"
)

// Finding is one vulnerability, secret or failed check, flattened for the gate and the summary.
type Finding struct {
	Kind     Kind
	Severity string
	// ID is the vulnerability ID, the secret rule ID or the check ID.
	ID     string
	Target string
	// Line is the secret's or misconfiguration's first line (0 when unknown).
	Line int
	// Pkg, Installed and Fixed are set for vulnerabilities; Fixed is empty when there is no fix.
	Pkg, Installed, Fixed string
	Title                 string
	URL                   string
}

// String is the finding on one line, e.g.
//
//	CRITICAL CVE-2019-10744 lodash 4.17.11 (fixed in 4.17.12) in package-lock.json
//	CRITICAL secret aws-access-key-id in config/settings.env:3
//	HIGH DS-0002 Dockerfile: Image user should not be 'root'
func (f Finding) String() string {
	switch f.Kind {
	case KindVulnerability:
		fix := "no fix yet"
		if f.Fixed != "" {
			fix = "fixed in " + f.Fixed
		}
		return fmt.Sprintf("%s %s %s %s (%s) in %s", f.Severity, f.ID, f.Pkg, f.Installed, fix, f.Target)
	case KindSecret:
		return fmt.Sprintf("%s secret %s in %s", f.Severity, f.ID, f.location())
	default:
		return fmt.Sprintf("%s %s %s: %s", f.Severity, f.ID, f.location(), f.Title)
	}
}

func (f Finding) location() string {
	if f.Line > 0 {
		return f.Target + ":" + strconv.Itoa(f.Line)
	}
	return f.Target
}

// Findings flattens a report, worst first (severity, then ID, then target; see sortFindings). Passed checks are
// not findings.
func Findings(r *Report) []Finding {
	if r == nil {
		return nil
	}
	var out []Finding
	for _, res := range r.Results {
		for _, v := range res.Vulnerabilities {
			out = append(out, Finding{Kind: KindVulnerability, Severity: norm(v.Severity), ID: v.VulnerabilityID,
				Target: res.Target, Pkg: v.PkgName, Installed: v.InstalledVersion, Fixed: v.FixedVersion,
				Title: v.Title, URL: v.PrimaryURL})
		}
		for _, s := range res.Secrets {
			out = append(out, Finding{Kind: KindSecret, Severity: norm(s.Severity), ID: s.RuleID,
				Target: res.Target, Line: s.StartLine, Title: s.Title})
		}
		for _, m := range res.Misconfigurations {
			if !m.Failed() {
				continue
			}
			id := m.ID
			if id == "" {
				id = m.AVDID
			}
			out = append(out, Finding{Kind: KindMisconfiguration, Severity: norm(m.Severity), ID: id,
				Target: res.Target, Line: m.CauseMetadata.StartLine, Title: m.Title, URL: m.PrimaryURL})
		}
	}
	sortFindings(out)
	return out
}

func norm(sev string) string {
	sev = strings.ToUpper(strings.TrimSpace(sev))
	if !known(sev) {
		return "UNKNOWN"
	}
	return sev
}

// sortFindings orders by severity (worst first), then ID, then target, then line and package, so that reports
// and error messages are the same from run to run.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if rank(a.Severity) != rank(b.Severity) {
			return rank(a.Severity) > rank(b.Severity)
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Pkg+" "+a.Installed < b.Pkg+" "+b.Installed
	})
}

// Verdict is the gate's decision.
type Verdict struct {
	// Policy is the policy applied, with defaults filled in.
	Policy Policy
	// Blocking are the findings that fail the gate, worst first.
	Blocking []Finding
	// Findings are all findings of the report, worst first.
	Findings []Finding
	// Unfixed counts vulnerabilities at a blocking severity let through by IgnoreUnfixed.
	Unfixed int
	// invalid is set when the policy itself is wrong; the gate then fails closed.
	invalid error
}

// Passed reports whether nothing blocks.
func (v Verdict) Passed() bool { return v.invalid == nil && len(v.Blocking) == 0 }

// MaxListed is how many blocking findings Err names before "and N more".
const MaxListed = 20

// Err is nil when the gate passed; otherwise one error naming each blocking finding (the first MaxListed).
func (v Verdict) Err() error {
	if v.invalid != nil {
		return v.invalid
	}
	if len(v.Blocking) == 0 {
		return nil
	}
	var b strings.Builder
	n := len(v.Blocking)
	fmt.Fprintf(&b, "security scan failed: %d %s at %s", n, plural(n, "finding"), strings.Join(v.Policy.Severities, ","))
	for i, f := range v.Blocking {
		if i == MaxListed {
			fmt.Fprintf(&b, "\n  and %d more", n-MaxListed)
			break
		}
		b.WriteString("\n  " + f.String())
	}
	return errors.New(b.String())
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// Gate decides from the JSON report alone. Findings suppressed by .trivyignore are already absent from the report
// (trivy applies --ignorefile), so they are not re-applied here. An invalid policy (an unknown severity) fails the
// gate rather than letting everything through.
func Gate(r *Report, p Policy) Verdict {
	v := Verdict{Findings: Findings(r)}
	if len(p.Severities) == 0 {
		p.Severities = DefaultSeverities
	}
	p.Severities = append([]string(nil), p.Severities...) // normalised below; the caller's slice stays as it was
	block := map[string]bool{}
	for i, sev := range p.Severities {
		s := strings.ToUpper(strings.TrimSpace(sev))
		if !known(s) {
			v.invalid = fmt.Errorf("security scan: invalid gate policy: unknown severity %q (use %s)", sev,
				strings.Join(Severities, ", "))
		}
		p.Severities[i] = s
		block[s] = true
	}
	v.Policy = p
	if r == nil {
		v.invalid = errors.New("security scan: no trivy report")
		return v
	}
	for _, f := range v.Findings {
		if !block[f.Severity] {
			continue
		}
		if p.IgnoreUnfixed && f.Kind == KindVulnerability && f.Fixed == "" {
			v.Unfixed++
			continue
		}
		v.Blocking = append(v.Blocking, f)
	}
	return v
}
