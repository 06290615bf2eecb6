package scan_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pixelsandpetals/delivery/pipeline/scan"
)

func TestArgs(t *testing.T) {
	common := "--format json --output /out/trivy.json --exit-code 0 --no-progress --skip-version-check --disable-telemetry"
	for _, tc := range []struct {
		name string
		opts scan.Options
		want string
	}{
		{"source tree, online", scan.Options{Mode: scan.FS, Target: "/src", Output: "/out/trivy.json",
			CacheDir: "/cache/trivy"},
			"fs --scanners vuln,secret,misconfig " + common + " --cache-dir /cache/trivy /src"},
		{"source tree, pre-downloaded DB", scan.Options{Mode: scan.FS, Target: "/src", Output: "/out/trivy.json",
			CacheDir: "/db", SkipUpdate: true, IgnoreFile: "/src/.trivyignore", SkipDirs: []string{"testdata", "e2e"}},
			"fs --scanners vuln,secret,misconfig " + common + " --cache-dir /db" +
				" --skip-db-update --skip-java-db-update --skip-check-update --ignorefile /src/.trivyignore" +
				" --skip-dirs testdata,e2e /src"},
		{"image tarball, offline", scan.Options{Mode: scan.Image, Target: "/work/image.tar", Output: "/out/trivy.json",
			CacheDir: "/db", Offline: true, CacheBackend: "memory", Timeout: 10 * time.Minute},
			"image --input /work/image.tar --scanners vuln,secret " + common + " --cache-dir /db --cache-backend memory" +
				" --skip-db-update --skip-java-db-update --skip-check-update --offline-scan --timeout 10m0s"},
		{"scanners overridden", scan.Options{Mode: scan.FS, Target: ".", Output: "/out/trivy.json",
			Scanners: []string{"misconfig"}},
			"fs --scanners misconfig " + common + " ."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := scan.Args(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("args:\n%s\nwant:\n%s", strings.Join(got, " "), tc.want)
			}
			for _, a := range got {
				// The JSON stays complete: the gate filters, in Go.
				if a == "--severity" || a == "--ignore-unfixed" {
					t.Errorf("%s must not filter the JSON report", a)
				}
			}
		})
	}
}

func TestArgsErrors(t *testing.T) {
	for _, tc := range []struct {
		opts scan.Options
		want string
	}{
		{scan.Options{Mode: scan.FS, Output: "o.json"}, "no target"},
		{scan.Options{Mode: scan.Image, Target: "i.tar"}, "no output file"},
		{scan.Options{Mode: "repo", Target: ".", Output: "o.json"}, `unknown trivy scan mode "repo"`},
	} {
		if _, err := scan.Args(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Args(%+v) error = %v, want %q", tc.opts, err, tc.want)
		}
	}
}

func TestSARIFArgs(t *testing.T) {
	for _, tc := range []struct {
		got  []string
		want string
	}{
		{scan.SARIFArgs("r.json", "r.sarif", ""), "convert --format sarif --output r.sarif r.json"},
		{scan.SARIFArgs("r.json", "r.sarif", "/src/.trivyignore", "HIGH", "CRITICAL"),
			"convert --format sarif --output r.sarif --severity HIGH,CRITICAL --ignorefile /src/.trivyignore r.json"},
	} {
		if !reflect.DeepEqual(strings.Join(tc.got, " "), tc.want) {
			t.Errorf("got  %s\nwant %s", strings.Join(tc.got, " "), tc.want)
		}
	}
}

// The DB's identity (from `trivy version --format json`) is part of a scan's cache key: a DB update re-scans.
func TestDBVersion_IsTheDBsUpdateAndDownloadTime(t *testing.T) {
	got, err := scan.DBVersion([]byte(`{"Version":"0.74.0","VulnerabilityDB":{"Version":2,"NextUpdate":"2036-11-29T12:20:32.001Z","UpdatedAt":"2026-12-02T12:20:32.001Z","DownloadedAt":"2026-12-02T13:00:00Z"}}`))
	if err != nil || got != "v2 updated 2026-12-02T12:20:32Z downloaded 2026-12-02T13:00:00Z" {
		t.Errorf("DBVersion = %q, %v", got, err)
	}
	if got, err := scan.DBVersion([]byte(`{"Version":"0.74.0"}`)); err != nil || got != "" {
		t.Errorf("no DB yet: %q, %v", got, err)
	}
	if _, err := scan.DBVersion([]byte(`INFO`)); err == nil {
		t.Error("not JSON: want an error")
	}
}
