package scan_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pixelsandpetals/delivery/pipeline/scan"
)

func mustParse(t *testing.T, s string) *scan.Report {
	t.Helper()
	rep, err := scan.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestGate(t *testing.T) {
	rep := mustParse(t, sampleReport)
	for _, tc := range []struct {
		name   string
		policy scan.Policy
		want   []string // blocking findings, in order
	}{
		{"default HIGH,CRITICAL", scan.Policy{}, []string{
			"CRITICAL CVE-2019-10744 lodash 4.17.11 (fixed in 4.17.12) in package-lock.json",
			"CRITICAL secret aws-access-key-id in config/settings.env:3",
			"HIGH CVE-2024-29415 ip 2.0.1 (no fix yet) in package-lock.json",
			"HIGH DS-0002 Dockerfile: Image user should not be 'root'",
		}},
		{"ignore unfixed keeps secrets and misconfigurations", scan.Policy{IgnoreUnfixed: true}, []string{
			"CRITICAL CVE-2019-10744 lodash 4.17.11 (fixed in 4.17.12) in package-lock.json",
			"CRITICAL secret aws-access-key-id in config/settings.env:3",
			"HIGH DS-0002 Dockerfile: Image user should not be 'root'",
		}},
		{"CRITICAL only", scan.Policy{Severities: []string{"CRITICAL"}}, []string{
			"CRITICAL CVE-2019-10744 lodash 4.17.11 (fixed in 4.17.12) in package-lock.json",
			"CRITICAL secret aws-access-key-id in config/settings.env:3",
		}},
		{"MEDIUM alone is a set, not a threshold", scan.Policy{Severities: []string{"medium"}}, []string{
			"MEDIUM CVE-2017-16137 debug 2.6.8 (fixed in 2.6.9) in package-lock.json",
		}},
		{"LOW: passed checks never count", scan.Policy{Severities: []string{"LOW"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := scan.Gate(rep, tc.policy)
			var got []string
			for _, f := range v.Blocking {
				got = append(got, f.String())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("blocking:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if v.Passed() != (len(tc.want) == 0) || (v.Err() == nil) != v.Passed() {
				t.Errorf("Passed() = %v, Err() = %v", v.Passed(), v.Err())
			}
			for _, line := range tc.want {
				if !strings.Contains(v.Err().Error(), "\n  "+line) {
					t.Errorf("Err() does not name %q:\n%v", line, v.Err())
				}
			}
		})
	}
}

func TestGateDoesNotChangeThePolicy(t *testing.T) {
	sev := []string{"high", "Critical"}
	v := scan.Gate(mustParse(t, sampleReport), scan.Policy{Severities: sev})
	if sev[0] != "high" || !reflect.DeepEqual(v.Policy.Severities, []string{"HIGH", "CRITICAL"}) {
		t.Errorf("caller's slice %q, verdict's %q", sev, v.Policy.Severities)
	}
}

func TestGateFailsClosed(t *testing.T) {
	clean := mustParse(t, `{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem"}`)
	if v := scan.Gate(clean, scan.Policy{}); !v.Passed() || v.Err() != nil {
		t.Fatalf("clean report: %v", v.Err())
	}
	const typo = "CRTICAL" //nolint:misspell // the misspelt severity is the point of the test
	v := scan.Gate(clean, scan.Policy{Severities: []string{"HIGH", typo}})
	if v.Passed() || v.Err() == nil || !strings.Contains(v.Err().Error(), `unknown severity "`+typo+`"`) {
		t.Errorf("a misspelt severity must fail the gate, got %v", v.Err())
	}
	if v := scan.Gate(nil, scan.Policy{}); v.Passed() {
		t.Error("no report must fail the gate")
	}
}

func TestVerdictErrListsTwentyThenCounts(t *testing.T) {
	var vulns []string
	for i := range 23 {
		vulns = append(vulns, fmt.Sprintf(`{"VulnerabilityID": "CVE-2026-%04d", "PkgName": "p%d", "InstalledVersion": "1.0.0",
			"FixedVersion": "1.0.1", "Severity": "HIGH"}`, 22-i, i))
	}
	rep := mustParse(t, `{"SchemaVersion": 2, "Results": [{"Target": "package-lock.json", "Vulnerabilities": [`+
		strings.Join(vulns, ",")+`]}]}`)
	msg := scan.Gate(rep, scan.Policy{}).Err().Error()
	lines := strings.Split(msg, "\n")
	if len(lines) != 1+scan.MaxListed+1 {
		t.Fatalf("%d lines:\n%s", len(lines), msg)
	}
	if lines[0] != "security scan failed: 23 findings at HIGH,CRITICAL" ||
		!strings.Contains(lines[1], "CVE-2026-0000 p22") || lines[len(lines)-1] != "  and 3 more" {
		t.Errorf("unexpected message:\n%s", msg)
	}
}

func TestParseSeverities(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  string
	}{
		{"", []string{"HIGH", "CRITICAL"}, ""},
		{"HIGH,CRITICAL", []string{"HIGH", "CRITICAL"}, ""},
		{"critical, high", []string{"CRITICAL", "HIGH"}, ""},
		{"MEDIUM+", []string{"CRITICAL", "HIGH", "MEDIUM"}, ""},
		{"unknown+", []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"}, ""},
		{"HIGH,SEVERE", nil, `unknown severity "SEVERE"`},
		{"MODERATE+", nil, `unknown severity "MODERATE"`},
		{"HIGH,", nil, `unknown severity ""`},
	} {
		got, err := scan.ParseSeverities(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSeverities(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSeverities(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
