package scan_test

import (
	"strings"
	"testing"

	"github.com/pixelsandpetals/delivery/pipeline/scan"
)

func TestSummary(t *testing.T) {
	rep := mustParse(t, sampleReport)
	got := scan.Summary(rep, scan.Gate(rep, scan.Policy{IgnoreUnfixed: true}))
	want := `Security scan of . (filesystem)
severity  vulnerabilities  secrets  misconfigurations
CRITICAL                1        1                  0
HIGH                    1        0                  1
MEDIUM                  1        0                  0
LOW                     0        0                  0
UNKNOWN                 0        0                  0
total                   3        1                  1
Top findings (* blocks the gate):
* CRITICAL CVE-2019-10744 lodash 4.17.11 (fixed in 4.17.12) in package-lock.json
* CRITICAL secret aws-access-key-id in config/settings.env:3
  HIGH CVE-2024-29415 ip 2.0.1 (no fix yet) in package-lock.json
* HIGH DS-0002 Dockerfile: Image user should not be 'root'
  MEDIUM CVE-2017-16137 debug 2.6.8 (fixed in 2.6.9) in package-lock.json
Gate HIGH,CRITICAL (unfixed vulnerabilities ignored): FAILED — 3 blocking findings
1 unfixed vulnerability let through by --ignore-unfixed
`
	if got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}

func TestSummaryIsDeterministic(t *testing.T) {
	rep := mustParse(t, sampleReport)
	// The same findings in another order (trivy's result order is not a contract) give the same text.
	rev := *rep
	rev.Results = nil
	for i := len(rep.Results) - 1; i >= 0; i-- {
		r := rep.Results[i]
		vs := append([]scan.Vulnerability(nil), r.Vulnerabilities...)
		for a, b := 0, len(vs)-1; a < b; a, b = a+1, b-1 {
			vs[a], vs[b] = vs[b], vs[a]
		}
		r.Vulnerabilities = vs
		rev.Results = append(rev.Results, r)
	}
	p := scan.Policy{Severities: []string{"MEDIUM", "HIGH", "CRITICAL"}}
	a, b := scan.Summary(rep, scan.Gate(rep, p)), scan.Summary(&rev, scan.Gate(&rev, p))
	if a != b {
		t.Errorf("order-dependent summary:\n%s\nvs\n%s", a, b)
	}
}

func TestSummaryCleanAndLong(t *testing.T) {
	clean := mustParse(t, `{"SchemaVersion": 2, "ArtifactName": "app.tar", "ArtifactType": "container_image"}`)
	s := scan.Summary(clean, scan.Gate(clean, scan.Policy{}))
	if !strings.Contains(s, "Security scan of app.tar (container_image)") || strings.Contains(s, "Top findings") ||
		!strings.HasSuffix(s, "Gate HIGH,CRITICAL: passed\n") {
		t.Errorf("clean summary:\n%s", s)
	}

	var secrets []string
	for range 12 {
		secrets = append(secrets, `{"RuleID": "github-pat", "Severity": "CRITICAL", "StartLine": 1}`)
	}
	long := mustParse(t, `{"SchemaVersion": 2, "Results": [{"Target": "a.env", "Secrets": [`+strings.Join(secrets, ",")+`]}]}`)
	s = scan.Summary(long, scan.Gate(long, scan.Policy{}))
	if strings.Count(s, "* CRITICAL secret github-pat in a.env:1") != scan.TopFindings ||
		!strings.Contains(s, "… and 2 more") {
		t.Errorf("long summary:\n%s", s)
	}
}

// Nothing this package prints may contain a secret's value, which trivy's JSON carries in Match and Code.
func TestSecretValuesNeverPrinted(t *testing.T) {
	rep := mustParse(t, sampleReport)
	v := scan.Gate(rep, scan.Policy{Severities: []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"}})
	for name, text := range map[string]string{"summary": scan.Summary(rep, v), "error": v.Err().Error()} {
		if strings.Contains(text, fakeKey) {
			t.Errorf("%s contains the secret:\n%s", name, text)
		}
	}
}
