package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each fixture holds one kind of problem; scan must fail and name it, whatever the other stages do.
func TestScan_FindingsFailTheGateNamingThem(t *testing.T) {
	cases := []struct{ fixture, want string }{
		{"vuln-npm", "CVE-2019-10744"},
		{"vuln-go", "CVE-2021-38561"},
		{"secret", "aws-access-key-id"},
		{"dockerfile-root", "Dockerfile"},
		{"terraform-open-sg", "main.tf"},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			src := fixture(t, "scan/"+c.fixture, nil)
			r := dagger(t, checkTimeout, "call", "--source="+src, "scan")
			if r.exitCode == 0 {
				t.Fatalf("scan passed on %s; want the gate to fail:\n%s", c.fixture, tail(r.output, 40))
			}
			if !strings.Contains(r.output, "security scan failed") || !strings.Contains(r.output, c.want) {
				t.Errorf("the failure should name %q:\n%s", c.want, tail(r.output, 40))
			}
		})
	}
}

func TestScan_SecretValueIsNeverPrinted(t *testing.T) {
	src := fixture(t, "scan/secret", nil)
	raw, err := os.ReadFile(filepath.Join(src, "config", "settings.env"))
	if err != nil {
		t.Fatal(err)
	}
	r := dagger(t, checkTimeout, "call", "--source="+src, "scan")
	for _, line := range strings.Split(string(raw), "\n") {
		if i := strings.IndexByte(line, '='); i > 0 {
			if v := strings.Trim(strings.TrimSpace(line[i+1:]), `"'`); len(v) >= 16 && strings.Contains(r.output, v) {
				t.Errorf("the secret value %q... appears in the output", v[:4])
			}
		}
	}
}

func TestScan_IgnoredFindingAndThresholdsAreHonoured(t *testing.T) {
	if r := dagger(t, checkTimeout, "call", "--source="+fixture(t, "scan/ignored", nil), "scan"); r.exitCode != 0 {
		t.Errorf("a CVE listed in .trivyignore should not fail the scan:\n%s", tail(r.output, 40))
	}
	medium := fixture(t, "scan/vuln-medium", nil)
	if r := dagger(t, checkTimeout, "call", "--source="+medium, "scan"); r.exitCode != 0 {
		t.Errorf("a MEDIUM finding should pass the default HIGH,CRITICAL gate:\n%s", tail(r.output, 40))
	}
	if r := dagger(t, checkTimeout, "call", "--source="+medium, "scan", "--severity=MEDIUM,HIGH,CRITICAL"); r.exitCode == 0 {
		t.Errorf("--severity=MEDIUM,... should fail on a MEDIUM finding:\n%s", tail(r.output, 40))
	}
}

func TestScanReport_ExportsJSONAndSARIFEvenWhenTheGateFails(t *testing.T) {
	out := t.TempDir()
	src := fixture(t, "scan/vuln-npm", nil)
	r := dagger(t, checkTimeout, "call", "--source="+src, "scan-report", "export", "--path="+out)
	if r.exitCode != 0 {
		t.Fatalf("scan-report failed:\n%s", tail(r.output, 40))
	}
	for _, name := range []string{"report.json", "report.sarif", "summary.txt"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("%s not exported: %v", name, err)
		}
		if !strings.Contains(string(b), "CVE-2019-10744") {
			t.Errorf("%s does not mention CVE-2019-10744", name)
		}
	}
}

func TestCheck_IncludesTheScanStage(t *testing.T) {
	src := fixture(t, "node-app", []string{"scan/vuln-npm"})
	r := dagger(t, checkTimeout, "call", "--source="+src, "check")
	if r.exitCode == 0 {
		t.Fatalf("check passed with a critical vulnerability in the lockfile:\n%s", tail(r.output, 40))
	}
	if got := stageStatus(t, r.output, "scan"); got != "failed" {
		t.Errorf("scan stage %s, want failed:\n%s", got, tail(r.output, 40))
	}
}
