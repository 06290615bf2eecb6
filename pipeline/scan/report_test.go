package scan_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pixelsandpetals/delivery/pipeline/scan"
)

// sampleReport is a trimmed trivy v0.74.0 fs report: one of each kind of finding, plus trivy's fields the model
// ignores (a secret's Match and Code must never come out of this package).
const sampleReportTemplate = `{
  "SchemaVersion": 2,
  "Trivy": {"Version": "0.74.0"},
  "ArtifactName": ".",
  "ArtifactType": "filesystem",
  "Results": [
    {"Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm",
     "Packages": [{"Name": "lodash", "Version": "4.17.11"}],
     "Vulnerabilities": [
       {"VulnerabilityID": "CVE-2019-10744", "PkgName": "lodash", "InstalledVersion": "4.17.11",
        "FixedVersion": "4.17.12", "Status": "fixed", "Severity": "CRITICAL",
        "Title": "lodash: prototype pollution", "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2019-10744"},
       {"VulnerabilityID": "CVE-2024-29415", "PkgName": "ip", "InstalledVersion": "2.0.1",
        "Status": "affected", "Severity": "HIGH", "Title": "node-ip: incomplete fix"},
       {"VulnerabilityID": "CVE-2017-16137", "PkgName": "debug", "InstalledVersion": "2.6.8",
        "FixedVersion": "2.6.9", "Severity": "MEDIUM", "Title": "debug: ReDoS"}
     ]},
    {"Target": "config/settings.env", "Class": "secret",
     "Secrets": [{"RuleID": "aws-access-key-id", "Category": "AWS", "Severity": "CRITICAL",
       "Title": "AWS Access Key ID", "StartLine": 3, "EndLine": 3,
       "Match": "AWS_ACCESS_KEY_ID=FAKE_KEY",
       "Code": {"Lines": [{"Number": 3, "Content": "AWS_ACCESS_KEY_ID=FAKE_KEY"}]}}]},
    {"Target": "Dockerfile", "Class": "config", "Type": "dockerfile",
     "Misconfigurations": [
       {"Type": "Dockerfile Security Check", "ID": "DS-0002", "AVDID": "AVD-DS-0002",
        "Title": "Image user should not be 'root'", "Message": "Specify at least 1 USER command",
        "Severity": "HIGH", "Status": "FAIL", "CauseMetadata": {"Provider": "Dockerfile"}},
       {"ID": "DS-0026", "AVDID": "AVD-DS-0026", "Title": "No HEALTHCHECK defined", "Severity": "LOW",
        "Status": "PASS"}
     ]}
  ]
}`

// fakeKey is the secret fixture's fake access key id, read from testdata so that no key-shaped literal lives in
// code outside it; sampleReport carries it where trivy's report would.
var (
	fakeKey      = fixtureKey()
	sampleReport = strings.ReplaceAll(sampleReportTemplate, "FAKE_KEY", fakeKey)
)

func fixtureKey() string {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scan", "secret", "config", "settings.env"))
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "AWS_ACCESS_KEY_ID="); ok {
			return strings.TrimSpace(v)
		}
	}
	panic("no AWS_ACCESS_KEY_ID in the secret fixture")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("input/output error") }

func TestParse(t *testing.T) {
	rep, err := scan.Parse(strings.NewReader(sampleReport))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 3 || rep.ArtifactType != "filesystem" {
		t.Fatalf("parsed %+v", rep)
	}
	v := rep.Results[0].Vulnerabilities[0]
	if v.VulnerabilityID != "CVE-2019-10744" || v.FixedVersion != "4.17.12" || v.PrimaryURL == "" {
		t.Errorf("vulnerability = %+v", v)
	}
	if s := rep.Results[1].Secrets[0]; s.RuleID != "aws-access-key-id" || s.StartLine != 3 {
		t.Errorf("secret = %+v", s)
	}
	if m := rep.Results[2].Misconfigurations; m[0].AVDID != "AVD-DS-0002" || !m[0].Failed() || m[1].Failed() {
		t.Errorf("misconfigurations = %+v", m)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		want        string
	}{
		{"empty", "", "trivy report is empty"},
		{"whitespace", " \n\t", "trivy report is empty"},
		{"truncated", `{"SchemaVersion": 2, "Results": [`, "trivy report is not valid JSON"},
		{"not json", "FATAL: init error: DB error\n", "trivy report is not valid JSON"},
		{"trailing garbage", `{"SchemaVersion": 2} {}`, "trivy report is not valid JSON"},
		{"array", `[{"SchemaVersion": 2}]`, "not a trivy JSON report"},
		{"wrong field type", `{"SchemaVersion": 2, "Results": {"Target": "x"}}`, "Results has the wrong type"},
		{"no schema", `{"Results": []}`, "no SchemaVersion"},
		{"sarif", `{"version": "2.1.0", "runs": []}`, "no SchemaVersion"},
		{"old schema", `{"SchemaVersion": 1}`, "SchemaVersion 1, this pipeline reads 2"},
		{"newer schema", `{"SchemaVersion": 3}`, "SchemaVersion 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scan.Parse(strings.NewReader(tc.input))
			assertOneLineError(t, err, tc.want)
		})
	}
	t.Run("unreadable", func(t *testing.T) {
		_, err := scan.Parse(failingReader{})
		assertOneLineError(t, err, "cannot read it: input/output error")
	})
	t.Run("nil reader", func(t *testing.T) {
		_, err := scan.Parse(nil)
		assertOneLineError(t, err, "nothing to read")
	})
}

func assertOneLineError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("error = %q, want one line containing %q", err, want)
	}
}
