package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/checks"
	"github.com/pixelsandpetals/delivery/pipeline/scan"
)

// TrivyImage is the scanner's image, pinned: trivy-action's tags were once force-pushed to malicious commits.
const TrivyImage = "aquasec/trivy:0.74.0"

const (
	trivyCache  = "/trivy-cache"
	trivyReport = "/out/report.json"
	trivySARIF  = "/out/report.sarif"
	// scanStage is the stage name of the source scan in check's summary.
	scanStage = "scan"
)

// scanRun is one trivy run and the gate's decision on it.
type scanRun struct {
	container *dagger.Container
	report    *scan.Report
	verdict   scan.Verdict
	ignore    string
}

// trivy returns a container with the scanner and its vulnerability DB, ready to scan without updating it.
//
// A pre-downloaded DB (--trivy-db, air-gapped users) is copied in and never updated: its content is part of every
// scan's cache key. Otherwise the DB lives in a cache volume, so it is downloaded once per engine instead of once per
// run (the registry rate-limits DB downloads), and a fresh exec (see fresh.go) refreshes it on every call when trivy
// says it is out of date. A cache volume's content is not part of an exec's cache key, so the DB's version, read by
// that same fresh exec, is added to the scan's key: a DB update re-scans, an unchanged DB and source do not.
func (m *Delivery) trivy(ctx context.Context) (*dagger.Container, error) {
	c := dag.Container().From(TrivyImage).WithoutEntrypoint()
	if m.TrivyDB != nil {
		return c.WithDirectory(trivyCache, m.TrivyDB), nil
	}
	// One refresh at a time per engine: two calls must not replace the DB under each other.
	refreshed := fresh(c).
		WithMountedCache(trivyCache, dag.CacheVolume("delivery-trivy"), dagger.ContainerWithMountedCacheOpts{Sharing: dagger.CacheSharingModeLocked}).
		WithExec(append([]string{"trivy"}, scan.RefreshArgs(trivyCache)...)).
		WithExec(append([]string{"trivy"}, scan.VersionArgs(trivyCache)...))
	out, err := refreshed.Stdout(ctx)
	if err != nil {
		return nil, fmt.Errorf("scan: refreshing trivy's vulnerability DB (pass --trivy-db with a pre-downloaded DB when offline): %s", execError(err))
	}
	version, err := scan.DBVersion([]byte(out))
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	return c.WithMountedCache(trivyCache, dag.CacheVolume("delivery-trivy")).
		WithEnvVariable("TRIVY_DB_VERSION", version), nil
}

// scanSource runs trivy on the source tree (vulnerable dependencies, secrets, misconfigured Dockerfiles and
// Terraform) and gates on the JSON report.
func (m *Delivery) scanSource(ctx context.Context, p scan.Policy) (*scanRun, error) {
	c, err := m.trivy(ctx)
	if err != nil {
		return nil, err
	}
	c = c.WithDirectory("/src", m.Source).WithWorkdir("/src")
	o := scan.Options{Mode: scan.FS, Target: "/src", Output: trivyReport, CacheDir: trivyCache, SkipUpdate: true}
	entries, err := m.Source.Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("scan: listing the source: %w", err)
	}
	for _, e := range entries {
		if e == ".trivyignore" {
			o.IgnoreFile = "/src/.trivyignore"
		}
	}
	return runTrivy(ctx, c, o, p)
}

// scanImage runs trivy on an image tarball, before anything is pushed.
func (m *Delivery) scanImage(ctx context.Context, image *dagger.File, p scan.Policy) (*scanRun, error) {
	c, err := m.trivy(ctx)
	if err != nil {
		return nil, err
	}
	c = c.WithFile("/image.tar", image)
	o := scan.Options{Mode: scan.Image, Target: "/image.tar", Output: trivyReport, CacheDir: trivyCache, SkipUpdate: true}
	return runTrivy(ctx, c, o, p)
}

// gatedTarball is the image as a tarball once its scan passed the gate: what deploy and publish push. An image
// that fails the gate never leaves the engine.
func (m *Delivery) gatedTarball(ctx context.Context, image *dagger.Container, gate scan.Policy) (*dagger.File, error) {
	tarball := image.AsTarball()
	run, err := m.scanImage(ctx, tarball, gate)
	if err != nil {
		return nil, err
	}
	if err := run.verdict.Err(); err != nil {
		return nil, fmt.Errorf("image scan: %w", err)
	}
	return tarball, nil
}

func runTrivy(ctx context.Context, c *dagger.Container, o scan.Options, p scan.Policy) (*scanRun, error) {
	args, err := scan.Args(o)
	if err != nil {
		return nil, err
	}
	ran := c.WithExec([]string{"mkdir", "-p", "/out"}).
		WithExec(append([]string{"trivy"}, args...), dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
	code, err := ran.ExitCode(ctx)
	if err != nil {
		return nil, fmt.Errorf("scan: running trivy: %s", firstLine(err))
	}
	if code != 0 {
		out, _ := ran.Stderr(ctx)
		return nil, fmt.Errorf("scan: trivy exited %d:\n%s", code, checks.Excerpt(out, checks.ExcerptLines))
	}
	raw, err := ran.File(trivyReport).Contents(ctx)
	if err != nil {
		return nil, fmt.Errorf("scan: trivy wrote no report: %s", firstLine(err))
	}
	report, err := scan.Parse(strings.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return &scanRun{container: ran, report: report, verdict: scan.Gate(report, p), ignore: o.IgnoreFile}, nil
}

// outcome is what scan and scan-image print: the summary, or the gate's error followed by it.
func (r *scanRun) outcome() (string, error) {
	summary := scan.Summary(r.report, r.verdict)
	if err := r.verdict.Err(); err != nil {
		return "", fmt.Errorf("%w\n\n%s", err, strings.TrimRight(summary, "\n"))
	}
	return summary, nil
}

// policy reads the user's gate arguments.
func policy(severity string, ignoreUnfixed bool) (scan.Policy, error) {
	sev, err := scan.ParseSeverities(severity)
	if err != nil {
		return scan.Policy{}, err
	}
	return scan.Policy{Severities: sev, IgnoreUnfixed: ignoreUnfixed}, nil
}

// scanResult turns a source scan into a check stage result.
func (m *Delivery) scanResult(ctx context.Context) checks.Result {
	start := time.Now()
	res := checks.Result{Stage: scanStage, Command: "trivy fs (vulnerabilities, secrets, misconfigurations)"}
	run, err := m.scanSource(ctx, scan.Policy{})
	res.Duration = time.Since(start)
	if err != nil {
		res.Status, res.Note, res.Command = checks.Failed, err.Error(), ""
		return res
	}
	if err := run.verdict.Err(); err != nil {
		res.Status, res.ExitCode, res.Output = checks.Failed, 1, err.Error()
		return res
	}
	res.Status = checks.Passed
	return res
}

// Scan runs trivy on the source tree: vulnerable dependencies (lockfiles, go.mod), secrets, and misconfigurations
// (Dockerfile, Terraform). It fails when a finding reaches the severity threshold, naming each one; the app's
// .trivyignore is honoured. Prints a severity × kind table and the worst findings. Each call looks again at the
// vulnerability DB: the same source is scanned again only when the DB changed.
// +check
// +cache="session"
func (m *Delivery) Scan(
	ctx context.Context,
	// Severities that fail the scan, comma-separated.
	// +default="HIGH,CRITICAL"
	severity string,
	// Let vulnerabilities without a fixed version through (they are still listed).
	// +optional
	ignoreUnfixed bool,
) (string, error) {
	p, err := policy(severity, ignoreUnfixed)
	if err != nil {
		return "", err
	}
	run, err := m.scanSource(ctx, p)
	if err != nil {
		return "", err
	}
	return run.outcome()
}

// ScanReport scans the source tree like scan and returns the reports as a directory, whatever the gate says:
// report.json (trivy's JSON, every finding), report.sarif (for GitHub code scanning) and summary.txt.
// Example: dagger call scan-report export --path=reports
// +cache="session"
func (m *Delivery) ScanReport(
	ctx context.Context,
	// Severities to include in the SARIF file, comma-separated (the JSON always has everything).
	// +default="HIGH,CRITICAL"
	severity string,
) (*dagger.Directory, error) {
	p, err := policy(severity, false)
	if err != nil {
		return nil, err
	}
	run, err := m.scanSource(ctx, p)
	if err != nil {
		return nil, err
	}
	converted := run.container.WithExec(append([]string{"trivy"},
		scan.SARIFArgs(trivyReport, trivySARIF, run.ignore, p.Severities...)...))
	return dag.Directory().
		WithFile("report.json", converted.File(trivyReport)).
		WithFile("report.sarif", converted.File(trivySARIF)).
		WithNewFile("summary.txt", scan.Summary(run.report, run.verdict)), nil
}

// ScanImage scans an image tarball (e.g. from `build`), before it is pushed anywhere: OS packages and app
// dependencies inside the image, and secrets left in its layers.
// +cache="session"
func (m *Delivery) ScanImage(
	ctx context.Context,
	// The image as a tarball (docker save or OCI archive), e.g. a container's as-tarball.
	image *dagger.File,
	// Severities that fail the scan, comma-separated.
	// +default="HIGH,CRITICAL"
	severity string,
	// Let vulnerabilities without a fixed version through (they are still listed).
	// +optional
	ignoreUnfixed bool,
) (string, error) {
	p, err := policy(severity, ignoreUnfixed)
	if err != nil {
		return "", err
	}
	run, err := m.scanImage(ctx, image, p)
	if err != nil {
		return "", err
	}
	return run.outcome()
}
