package scan

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Mode is what trivy scans.
type Mode string

const (
	// FS scans a source tree: lockfiles and go.mod, secrets, and misconfigurations (Dockerfile, Terraform, …).
	FS Mode = "fs"
	// Image scans an image saved as a tarball (docker save or OCI layout archive), before it is pushed.
	Image Mode = "image"
)

// Options describe one trivy scan.
type Options struct {
	Mode Mode
	// Target is the directory (FS) or the image tarball (Image).
	Target string
	// Output is where trivy writes the JSON report.
	Output string
	// CacheDir is trivy's cache directory; the vulnerability DB is CacheDir/db/{trivy.db,metadata.json}.
	CacheDir string
	// SkipUpdate uses the DB, Java DB and checks already in CacheDir (pre-downloaded, or updates disabled);
	// misconfiguration checks then come from the ones embedded in trivy when CacheDir has no checks bundle.
	SkipUpdate bool
	// Offline implies SkipUpdate and also stops trivy's other network lookups (--offline-scan).
	Offline bool
	// IgnoreFile is the .trivyignore (or .trivyignore.yaml) to apply. trivy's default is ./.trivyignore of its
	// working directory, not of the scanned tree, so the stage passes the tree's own file — only when it exists:
	// trivy v0.74.0 stops with "ignore file not found" otherwise.
	IgnoreFile string
	// Scanners overrides the default scanners (FS: vuln,secret,misconfig; Image: vuln,secret).
	Scanners []string
	// SkipDirs are directories (relative to Target) trivy does not scan, e.g. test fixtures.
	SkipDirs []string
	// CacheBackend is trivy's scan-cache backend; empty keeps trivy's default ("fs", in CacheDir). "memory" lets
	// several scans share one CacheDir at the same time.
	CacheBackend string
	// Timeout is trivy's own --timeout (its default is 5m); 0 keeps the default.
	Timeout time.Duration
}

// Args is the trivy command line (without the program name). The JSON report is always complete: no --severity,
// no --ignore-unfixed, exit code 0 on findings — the gate filters, from the JSON (see Gate), so the JSON and SARIF
// exports show everything. trivy's version check and telemetry are always off: a pipeline run talks to nothing
// but the DB registry, and not even to that when SkipUpdate or Offline is set.
func Args(o Options) ([]string, error) {
	if o.Target == "" {
		return nil, fmt.Errorf("trivy %s: no target", o.Mode)
	}
	if o.Output == "" {
		return nil, fmt.Errorf("trivy %s %s: no output file for the JSON report", o.Mode, o.Target)
	}
	scanners := o.Scanners
	var args []string
	switch o.Mode {
	case FS:
		args = []string{"fs"}
		if len(scanners) == 0 {
			scanners = []string{"vuln", "secret", "misconfig"}
		}
	case Image:
		args = []string{"image", "--input", o.Target}
		if len(scanners) == 0 {
			scanners = []string{"vuln", "secret"}
		}
	default:
		return nil, fmt.Errorf("unknown trivy scan mode %q (want %q or %q)", o.Mode, FS, Image)
	}
	args = append(args,
		"--scanners", strings.Join(scanners, ","),
		"--format", "json",
		"--output", o.Output,
		"--exit-code", "0",
		"--no-progress",
		"--skip-version-check",
		"--disable-telemetry",
	)
	if o.CacheDir != "" {
		args = append(args, "--cache-dir", o.CacheDir)
	}
	if o.CacheBackend != "" {
		args = append(args, "--cache-backend", o.CacheBackend)
	}
	if o.SkipUpdate || o.Offline {
		args = append(args, "--skip-db-update", "--skip-java-db-update", "--skip-check-update")
	}
	if o.Offline {
		args = append(args, "--offline-scan")
	}
	if o.IgnoreFile != "" {
		args = append(args, "--ignorefile", o.IgnoreFile)
	}
	if len(o.SkipDirs) > 0 {
		args = append(args, "--skip-dirs", strings.Join(o.SkipDirs, ","))
	}
	if o.Timeout > 0 {
		args = append(args, "--timeout", o.Timeout.String())
	}
	if o.Mode == FS {
		args = append(args, o.Target)
	}
	return args, nil
}

// SARIFArgs converts a JSON report to SARIF (for GitHub code scanning) with `trivy convert`. Like the JSON, the
// SARIF has every finding; pass severities to limit it (e.g. to the gate's, so code scanning and the gate agree).
// trivy convert applies an ignore file too, its working directory's .trivyignore by default: pass the one the
// scan used (findings it suppressed are already absent from the JSON; this only keeps convert from applying a
// different one).
func SARIFArgs(jsonReport, sarifOut, ignoreFile string, severities ...string) []string {
	args := []string{"convert", "--format", "sarif", "--output", sarifOut}
	if len(severities) > 0 {
		args = append(args, "--severity", strings.Join(severities, ","))
	}
	if ignoreFile != "" {
		args = append(args, "--ignorefile", ignoreFile)
	}
	return append(args, jsonReport)
}

// RefreshArgs downloads the vulnerability DB into cacheDir when trivy considers it out of date (its metadata's
// NextUpdate has passed), and does nothing otherwise.
func RefreshArgs(cacheDir string) []string {
	return []string{"image", "--download-db-only", "--cache-dir", cacheDir, "--no-progress", "--skip-version-check",
		"--disable-telemetry"}
}

// VersionArgs prints, as JSON, trivy's version and that of the vulnerability DB in cacheDir. The DB part
// (UpdatedAt, DownloadedAt) is what a scan result depends on besides its target, so it becomes part of the
// scan's cache key: a DB update re-scans, an unchanged DB and target reuse the last result.
func VersionArgs(cacheDir string) []string {
	return []string{"version", "--format", "json", "--cache-dir", cacheDir}
}

// DBVersion reads the vulnerability DB's identity from `trivy version --format json`: "" when the cache holds no DB.
func DBVersion(versionJSON []byte) (string, error) {
	var v struct {
		VulnerabilityDB *struct {
			Version      int
			UpdatedAt    time.Time
			DownloadedAt time.Time
		}
	}
	if err := json.Unmarshal(versionJSON, &v); err != nil {
		return "", fmt.Errorf("reading trivy version JSON: %w", err)
	}
	if v.VulnerabilityDB == nil || v.VulnerabilityDB.UpdatedAt.IsZero() {
		return "", nil
	}
	db := v.VulnerabilityDB
	return fmt.Sprintf("v%d updated %s downloaded %s", db.Version, db.UpdatedAt.UTC().Format(time.RFC3339),
		db.DownloadedAt.UTC().Format(time.RFC3339)), nil
}
