package scan_test

// Integration tests: the real trivy binary, offline, with the fixture DB built by hack/lab/trivydb, on the
// fixtures in testdata/scan (each copied to a temp dir first: trivy's secret scanner skips paths that start with
// "test", so the tree's own paths would hide the fake key).

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/scan"
)

// trivyTimeout bounds each trivy run (a warm scan of a fixture takes seconds; the first one loads the embedded
// checks).
const trivyTimeout = 3 * time.Minute

// trivyBin finds trivy: $TRIVY_BIN, then PATH, then the lab's build ($LAB_DIR/tools/trivy).
func trivyBin(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("TRIVY_BIN"); b != "" {
		if _, err := os.Stat(b); err != nil {
			t.Fatalf("TRIVY_BIN=%s: %v", b, err)
		}
		return b
	}
	if b, err := exec.LookPath("trivy"); err == nil {
		return b
	}
	lab := os.Getenv("LAB_DIR")
	if lab == "" {
		lab = "/var/cache/pixels-petals/lab"
	}
	if b := filepath.Join(lab, "tools", "trivy"); isExecutable(b) {
		return b
	}
	testkit.Missing(t, "trivy (set TRIVY_BIN, put it on PATH, or build it with `hack/lab/lab.sh up`)")
	return ""
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

var fixtureDB struct {
	once sync.Once
	dir  string
	err  error
}

// cacheDir is a trivy cache dir holding the fixture DB, built once per test binary with
// `go run ./hack/lab/trivydb -out DIR` (the same command the lab runs).
func cacheDir(t *testing.T) string {
	t.Helper()
	fixtureDB.once.Do(func() {
		dir, err := os.MkdirTemp("", "scan-trivy-cache-")
		if err != nil {
			fixtureDB.err = err
			return
		}
		fixtureDB.dir = dir
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "run", ".", "-out", dir)
		cmd.Dir = filepath.Join("..", "..", "hack", "lab", "trivydb")
		if out, err := cmd.CombinedOutput(); err != nil {
			fixtureDB.err = fmt.Errorf("go run ./hack/lab/trivydb -out %s: %v\n%s", dir, err, out)
		}
	})
	if fixtureDB.err != nil {
		t.Fatal(fixtureDB.err)
	}
	return fixtureDB.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDB.dir != "" {
		_ = os.RemoveAll(fixtureDB.dir)
	}
	os.Exit(code)
}

// copyFixture copies a directory (testdata/scan/NAME, or another testdata tree) to a fresh temp dir.
func copyFixture(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	testkit.CopyTree(t, src, dst, func(d os.DirEntry) bool { return d.IsDir() && d.Name() == "node_modules" })
	return dst
}

func fixture(name string) string { return filepath.Join("..", "..", "testdata", "scan", name) }

// trivy runs trivy with a deadline. Proxy variables point at a closed loopback port: if trivy tried to reach the
// network despite the offline flags, the request would fail here rather than leave the machine.
func trivy(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), trivyTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, trivyBin(t), args...)
	cmd.Dir = t.TempDir() // no stray .trivyignore or trivy.yaml from the working directory
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = append(os.Environ(), "HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9", "NO_PROXY=",
		"https_proxy=http://127.0.0.1:9", "http_proxy=http://127.0.0.1:9", "no_proxy=")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("trivy %s (%.1fs)", args[0], time.Since(start).Seconds())
	if ctx.Err() != nil {
		t.Fatalf("trivy %s did not finish within %s\n%s", strings.Join(args, " "), trivyTimeout, out)
	}
	if err != nil {
		t.Fatalf("trivy %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// scanReport runs a scan with the fixture DB, offline, and parses the JSON report.
func scanReport(t *testing.T, o scan.Options) (*scan.Report, string) {
	t.Helper()
	trivyBin(t) // skip before building the DB
	o.Output = filepath.Join(t.TempDir(), "trivy.json")
	o.CacheDir, o.Offline, o.CacheBackend = cacheDir(t), true, "memory"
	o.Timeout = trivyTimeout
	args, err := scan.Args(o)
	if err != nil {
		t.Fatal(err)
	}
	trivy(t, args...)
	f, err := os.Open(o.Output)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }() // read-only
	rep, err := scan.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return rep, o.Output
}

func scanFixture(t *testing.T, name string) (*scan.Report, string) {
	t.Helper()
	return scanReport(t, scan.Options{Mode: scan.FS, Target: copyFixture(t, fixture(name))})
}

func wantBlocked(t *testing.T, rep *scan.Report, p scan.Policy, wants ...string) {
	t.Helper()
	v := scan.Gate(rep, p)
	if v.Passed() {
		t.Fatalf("gate passed, want it to fail naming %q\n%s", wants, scan.Summary(rep, v))
	}
	for _, w := range wants {
		if !strings.Contains(v.Err().Error(), w) {
			t.Errorf("gate error does not name %q:\n%v", w, v.Err())
		}
	}
}

func wantPassed(t *testing.T, rep *scan.Report, p scan.Policy) {
	t.Helper()
	if v := scan.Gate(rep, p); !v.Passed() {
		t.Fatalf("gate failed:\n%v\n%s", v.Err(), scan.Summary(rep, v))
	}
}

func TestTrivyFindsEachFixture(t *testing.T) {
	for _, tc := range []struct{ fixture, want string }{
		{"vuln-npm", "CRITICAL CVE-2019-10744 lodash 4.17.11 (fixed in 4.17.12) in package-lock.json"},
		{"vuln-go", "HIGH CVE-2021-38561 golang.org/x/text v0.3.6 (fixed in 0.3.7) in go.mod"},
		{"secret", "CRITICAL secret aws-access-key-id in config/settings.env:3"},
		{"dockerfile-root", "HIGH DS-0002 Dockerfile: Image user should not be 'root'"},
		{"terraform-open-sg", "HIGH AWS-0107 main.tf:11: Security groups should not allow unrestricted ingress to SSH"},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			rep, _ := scanFixture(t, tc.fixture)
			wantBlocked(t, rep, scan.Policy{}, tc.want)
		})
	}
}

func TestTrivyCleanPasses(t *testing.T) {
	for _, dir := range []string{fixture("clean"), filepath.Join("..", "..", "testdata", "node-app")} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rep, _ := scanReport(t, scan.Options{Mode: scan.FS, Target: copyFixture(t, dir)})
			wantPassed(t, rep, scan.Policy{})
		})
	}
}

func TestTrivyIgnoreFile(t *testing.T) {
	dir := copyFixture(t, fixture("ignored"))
	rep, _ := scanReport(t, scan.Options{Mode: scan.FS, Target: dir, IgnoreFile: filepath.Join(dir, ".trivyignore")})
	wantPassed(t, rep, scan.Policy{})

	// Without the file, the same tree fails: the fixture proves the ignore file is applied.
	rep, _ = scanReport(t, scan.Options{Mode: scan.FS, Target: dir})
	wantBlocked(t, rep, scan.Policy{}, "CVE-2019-10744 lodash")
}

func TestTrivyThresholds(t *testing.T) {
	rep, _ := scanFixture(t, "vuln-medium")
	wantPassed(t, rep, scan.Policy{})
	medium, err := scan.ParseSeverities("MEDIUM+")
	if err != nil {
		t.Fatal(err)
	}
	wantBlocked(t, rep, scan.Policy{Severities: medium}, "MEDIUM CVE-2017-16137 debug 2.6.8 (fixed in 2.6.9) in package-lock.json")
	if v := scan.Gate(rep, scan.Policy{Severities: medium}); len(v.Blocking) != 1 {
		t.Errorf("MEDIUM+ blocks %d findings, want only the MEDIUM one:\n%v", len(v.Blocking), v.Err())
	}
	wantBlocked(t, rep, scan.Policy{Severities: []string{"LOW"}}, "LOW CVE-2024-47764 cookie 0.6.0 (fixed in 0.7.0)")
}

func TestTrivyIgnoreUnfixed(t *testing.T) {
	rep, _ := scanFixture(t, "unfixed")
	wantBlocked(t, rep, scan.Policy{}, "HIGH CVE-2024-29415 ip 2.0.1 (no fix yet) in package-lock.json")
	wantPassed(t, rep, scan.Policy{IgnoreUnfixed: true})
}

// The SARIF export has every finding of the JSON, whatever the gate's severities — and can be limited to them.
func TestTrivySARIF(t *testing.T) {
	rep, jsonPath := scanFixture(t, "vuln-medium")
	wantPassed(t, rep, scan.Policy{})
	sarifRules := func(severities ...string) []string {
		out := filepath.Join(t.TempDir(), "trivy.sarif")
		trivy(t, scan.SARIFArgs(jsonPath, out, "", severities...)...)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var sarif struct {
			Version string
			Runs    []struct {
				Results []struct {
					RuleID string `json:"ruleId"`
				}
			}
		}
		if err := json.Unmarshal(data, &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 {
			t.Fatalf("not SARIF 2.1.0 (%v):\n%.500s", err, data)
		}
		var ids []string
		for _, r := range sarif.Runs[0].Results {
			ids = append(ids, r.RuleID)
		}
		return ids
	}
	if ids := sarifRules(); strings.Join(ids, " ") != "CVE-2017-16137 CVE-2024-47764" &&
		strings.Join(ids, " ") != "CVE-2024-47764 CVE-2017-16137" {
		t.Errorf("SARIF results %q, want both the MEDIUM and the LOW finding", ids)
	}
	if ids := sarifRules("MEDIUM", "HIGH", "CRITICAL"); strings.Join(ids, " ") != "CVE-2017-16137" {
		t.Errorf("SARIF limited to MEDIUM+: results %q", ids)
	}
}

func TestTrivyImageTarball(t *testing.T) {
	tarPath := filepath.Join(t.TempDir(), "image.tar")
	writeDockerArchive(t, tarPath, map[string]string{
		"etc/alpine-release": "3.21.3\n",
		"lib/apk/db/installed": "P:musl\nV:1.2.5-r8\nA:x86_64\nT:the musl c library (libc) implementation\n" +
			"U:https://musl.libc.org/\nL:MIT\no:musl\n\n",
	})
	rep, _ := scanReport(t, scan.Options{Mode: scan.Image, Target: tarPath})
	wantBlocked(t, rep, scan.Policy{}, "HIGH CVE-2025-26519 musl 1.2.5-r8 (fixed in 1.2.5-r9) in "+tarPath+" (alpine 3.21.3)")
}

// writeDockerArchive writes a one-layer image in `docker save` format.
func writeDockerArchive(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var layer bytes.Buffer
	lw := tar.NewWriter(&layer)
	for _, name := range []string{"etc/alpine-release", "lib/apk/db/installed"} {
		body := files[name]
		if err := lw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg,
			ModTime: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
		_, _ = lw.Write([]byte(body))
	}
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	sum := func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }
	diffID := sum(layer.Bytes())
	config, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux", "config": map[string]any{},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + diffID}},
		"history": []map[string]string{{"created_by": "pipeline/scan test fixture"}},
	})
	manifest, _ := json.Marshal([]map[string]any{{
		"Config": sum(config) + ".json", "RepoTags": []string{"scan-fixture/alpine:3.21"},
		"Layers": []string{diffID + "/layer.tar"},
	}})

	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }() // closed and checked below; this only covers a t.Fatal on the way
	tw := tar.NewWriter(f)
	for _, e := range []struct {
		name string
		data []byte
	}{{sum(config) + ".json", config}, {diffID + "/layer.tar", layer.Bytes()}, {"manifest.json", manifest}} {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)),
			Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// The repository's own infrastructure passes the gate it ships: no HIGH or CRITICAL misconfiguration other than
// those justified one by one in infra/terraform/.trivyignore.
func TestTrivy_InfraHasNoHighOrCriticalFindings(t *testing.T) {
	infra, err := filepath.Abs(filepath.Join("..", "..", "infra", "terraform"))
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := scanReport(t, scan.Options{Mode: scan.FS, Target: infra, Scanners: []string{"misconfig"},
		IgnoreFile: filepath.Join(infra, ".trivyignore")})
	wantPassed(t, rep, scan.Policy{})
	if len(rep.Results) == 0 {
		t.Fatal("trivy found no Terraform to check in infra/terraform")
	}
}
