package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/bootstrap"
	"github.com/pixelsandpetals/delivery/pipeline/checks"
	"github.com/pixelsandpetals/delivery/pipeline/ecr"
	"github.com/pixelsandpetals/delivery/pipeline/release"
	"github.com/pixelsandpetals/delivery/pipeline/smoke"
	"github.com/pixelsandpetals/delivery/pipeline/static"
	"github.com/pixelsandpetals/delivery/pipeline/terraform"
)

// target is one environment, checked: its Terraform directory, backend settings and a verified AWS config.
type target struct {
	env      string
	dir      string
	backend  map[string]string
	cfg      aws.Config
	identity awsenv.Identity
}

// open checks the environment name and the credentials, in that order, before anything is changed.
func (m *Delivery) open(ctx context.Context, env string) (*target, error) {
	dir, err := m.environment(ctx, env)
	if err != nil {
		return nil, err
	}
	backend, err := terraform.BackendSettings(dir, env)
	if err != nil {
		return nil, err
	}
	cfg, id, err := m.aws().config(ctx, backend["region"])
	if err != nil {
		return nil, err
	}
	return &target{env: env, dir: dir, backend: backend, cfg: cfg, identity: id}, nil
}

// apply plans an environment, refuses destroying changes in prod unless allowed, applies, and returns the deploy
// targets from the outputs.
func (m *Delivery) apply(ctx context.Context, t *target, allowDestroy bool, tfVar []string) (terraform.Targets, terraform.PlanSummary, error) {
	plan, sum, err := m.terraformPlan(ctx, t.env, t.backend, tfVar)
	if err != nil {
		return terraform.Targets{}, sum, err
	}
	if err := terraform.GuardDestroy(sum, t.env, allowDestroy); err != nil {
		return terraform.Targets{}, sum, err
	}
	targets, err := terraformApply(ctx, plan, t.env)
	return targets, sum, err
}

// Apply plans and applies an environment's infrastructure, refusing destroying changes in prod unless
// --allow-destroy, and prints the deploy targets Terraform now outputs.
// +cache="never"
func (m *Delivery) Apply(
	ctx context.Context,
	// Environment, e.g. prod.
	env string,
	// Allow a production plan that destroys or replaces resources.
	// +optional
	allowDestroy bool,
	// Extra Terraform variables, name=value.
	// +optional
	tfVar []string,
	// Take the environment's lock although another run holds it with a live lease: only when that run is dead.
	// +optional
	breakLock bool,
) (string, error) {
	t, err := m.open(ctx, env)
	if err != nil {
		return "", err
	}
	unlock, err := m.lockEnvironment(ctx, t, "apply", "", breakLock)
	if err != nil {
		return "", err
	}
	defer unlock()
	targets, sum, err := m.apply(ctx, t, allowDestroy, tfVar)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("apply %s: %s\n%s", env, sum.Counts(), targets), nil
}

// openApplied opens an environment that Terraform has applied and reads its deploy targets.
func (m *Delivery) openApplied(ctx context.Context, env string) (*target, terraform.Targets, error) {
	t, err := m.open(ctx, env)
	if err != nil {
		return nil, terraform.Targets{}, err
	}
	targets, err := m.terraformOutputs(ctx, env, t.backend)
	return t, targets, err
}

// Bootstrap creates the environment's Terraform state backend (the S3 bucket: versioned, encrypted, private,
// TLS-only; and the DynamoDB lock table) as named in infra's environments/<env>.backend.hcl. Idempotent: a second
// run changes nothing and says so; drift (e.g. versioning suspended) is fixed.
// +cache="never"
func (m *Delivery) Bootstrap(
	ctx context.Context,
	// Environment, e.g. prod: one of infra's environments/<env>.tfvars.
	env string,
	// Leave out the bucket policy that denies plain-HTTP access: only for emulators (LocalStack, moto) reached
	// over HTTP, which enforce bucket policies.
	// +optional
	allowPlainHttp bool,
) (string, error) {
	t, err := m.open(ctx, env)
	if err != nil {
		return "", err
	}
	res, err := bootstrap.Ensure(ctx, awsenv.S3(t.cfg), dynamodb.NewFromConfig(t.cfg), bootstrap.Options{
		Bucket: t.backend["bucket"], LockTable: t.backend["dynamodb_table"], Region: t.cfg.Region, Progress: os.Stderr,
		AllowPlainHTTP: allowPlainHttp})
	if err != nil {
		return "", fmt.Errorf("bootstrap %s: %w", env, err)
	}
	return res.String() + "\n", nil
}

// Plan shows what Terraform would change in an environment, as a table, or as a pull-request comment kept under
// GitHub's size limit (--format comment).
// +cache="never"
func (m *Delivery) Plan(
	ctx context.Context,
	// Environment, e.g. prod.
	env string,
	// Output: "table" or "comment" (markdown for a PR comment).
	// +default="table"
	format string,
	// Extra Terraform variables, name=value.
	// +optional
	tfVar []string,
) (string, error) {
	t, err := m.open(ctx, env)
	if err != nil {
		return "", err
	}
	_, sum, err := m.terraformPlan(ctx, env, t.backend, tfVar)
	if err != nil {
		return "", err
	}
	if format == "comment" {
		return terraform.PlanComment(sum, 65000), nil
	}
	return fmt.Sprintf("plan %s: %s\n", env, sum.Counts()), nil
}

// Deploy takes the source to an environment. The stack routes CloudFront's static path pattern to S3 and everything
// else, HTML included, to the app on ECS, so the order is: check ∥ build → scan the image (gate) → the app's
// integration tests against the image → terraform plan → refuse destroying changes in prod unless allowed → apply →
// push the image (skipped when the digest is already there) → upload the static assets read out of that image under
// the static path, next to the previous releases' (additive), and record the release → ECS rollout (watched,
// rolled back on failure) → smoke test (failure rolls ECS back; nothing was deleted, so the previous release serves
// with its assets) → delete the assets no retained release needs (the last --keep-releases, and every release
// younger than --keep-for) → invalidate the non-hashed assets that changed in place → release summary. Every function
// that changes the environment takes its lock; a second one is refused while the first runs.
// +cache="never"
func (m *Delivery) Deploy(
	ctx context.Context,
	// Environment, e.g. prod: one of infra's environments/<env>.tfvars.
	env string,
	// Image tag, normally the git commit; default: a digest of the source tree.
	// +optional
	tag string,
	// Allow a production plan that destroys or replaces resources.
	// +optional
	allowDestroy bool,
	// Extra Terraform variables, name=value.
	// +optional
	tfVar []string,
	// Directory of the static assets in the image, overriding its LABEL org.pixelsandpetals.delivery.assets and
	// delivery.json's "assets"; "none" for an app without static assets. Default: what the app declares, else a
	// known build layout (Vite dist/assets, Next.js .next/static, dist/public/assets, public/assets).
	// +optional
	assets string,
	// Image scan gate: severities that stop the release.
	// +default="HIGH,CRITICAL"
	severity string,
	// Skip lint/typecheck/test/scan of the source (they normally run beside the build).
	// +optional
	skipCheck bool,
	// Summary format: "table" or "json".
	// +default="table"
	format string,
	// Bound on the ECS rollout watch.
	// +default="15m"
	rolloutTimeout string,
	// Port the app listens on in its image, for the integration tests.
	// +default=3000
	appPort int,
	// Slack incoming webhook URL (a secret): the release summary is posted there, success or failure of any stage.
	// +optional
	slackWebhook *dagger.Secret,
	// A k6 script in the source (e.g. k6/smoke.js) to smoke-test with instead of the built-in runner; the gate
	// fails on failed thresholds and on failed checks.
	// +optional
	k6Script string,
	// Cleanup keeps the assets of this many most recent releases: the serving one and the rollback candidates.
	// +default=3
	keepReleases int,
	// Cleanup also keeps the assets of every release younger than this (tasks still draining, visitors with an
	// open page); "0" keeps by count only.
	// +default="24h"
	keepFor string,
	// Take the environment's lock although another run holds it with a live lease: only when that run is dead.
	// +optional
	breakLock bool,
	// Release onto the infrastructure as it is: read the deploy targets from Terraform's state (terraform output)
	// instead of planning and applying. For a role that may release but not change infrastructure (deploy.yml's
	// release job, after its infra job applied).
	// +optional
	skipApply bool,
) (string, error) {
	timeout, err := time.ParseDuration(rolloutTimeout)
	if err != nil {
		return "", fmt.Errorf("--rollout-timeout: %v", err)
	}
	retention, err := retentionOf(keepReleases, keepFor)
	if err != nil {
		return "", err
	}
	gate, err := policy(severity, false)
	if err != nil {
		return "", err
	}
	if k6Script != "" {
		if _, err := m.Source.File(k6Script).Name(ctx); err != nil {
			return "", fmt.Errorf("deploy %s: --k6-script %s is not in the source", env, k6Script)
		}
	}
	smokePlan, err := m.smokePlan(ctx)
	if err != nil {
		return "", fmt.Errorf("deploy %s: %w", env, err)
	}
	t, err := m.open(ctx, env)
	if err != nil {
		return "", err
	}
	if tag == "" {
		if tag, err = m.sourceTag(ctx); err != nil {
			return "", err
		}
	}
	log := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "deploy %s: "+format+"\n", append([]any{env}, a...)...)
	}
	// What the stages hand on: the image, its scanned tarball, where it keeps its static assets.
	var (
		image   *dagger.Container
		tarball *dagger.File
		layout  static.Layout
	)
	d := release.Deploy{Environment: env, Tag: tag,
		Lock: func(ctx context.Context) (func(), error) {
			return m.lockEnvironment(ctx, t, "deploy", "release "+tag, breakLock)
		},
		Build: func(ctx context.Context) (err error) {
			image, err = m.Build(ctx, "Dockerfile", "")
			return err
		},
		Scan: func(ctx context.Context) (err error) {
			if tarball, err = m.gatedTarball(ctx, image, gate); err != nil {
				return err
			}
			// A missing or misnamed assets directory stops the release here, before anything changes, rather
			// than releasing HTML whose scripts S3 does not have.
			layout, err = m.assetLayout(ctx, image, assets)
			return err
		},
		Integration: func(ctx context.Context) error {
			return withSummary(&checks.Report{Results: []checks.Result{m.integration(ctx, image, appPort)}})
		},
		Infrastructure: func(ctx context.Context) (terraform.Targets, string, error) {
			if skipApply {
				targets, err := m.terraformOutputs(ctx, env, t.backend)
				return targets, "not applied (--skip-apply): targets read from the state", err
			}
			targets, sum, err := m.apply(ctx, t, allowDestroy, tfVar)
			return targets, sum.Counts(), err
		},
		Prepare: func(ctx context.Context, targets terraform.Targets) (release.Release, error) {
			ecrClient := awsecr.NewFromConfig(t.cfg)
			r := release.Release{Targets: targets, Tag: tag, Smoke: smokePlan, Retention: retention,
				ECS: awsecs.NewFromConfig(t.cfg), S3: awsenv.S3(t.cfg), CloudFront: cloudfront.NewFromConfig(t.cfg),
				ECR: ecrClient, RolloutTimeout: timeout, Progress: os.Stderr}
			if err := m.prepareRelease(ctx, &r, tarball, image, layout, k6Script, log); err != nil {
				return r, err
			}
			var err error
			r.Auth, err = ecr.Login(ctx, ecrClient, "")
			return r, err
		},
		Notify: func(s *release.Summary) {
			if slackWebhook == nil {
				return
			}
			url, err := slackWebhook.Plaintext(ctx)
			if err == nil {
				err = release.Notify(ctx, url, s)
			}
			if err != nil {
				log("warning: %v", err)
			}
		},
		Log: func(s string) { log("%s", s) },
	}
	if !skipCheck {
		d.Check = func(ctx context.Context) error {
			_, err := m.Check(ctx)
			return err
		}
	}
	s, err := d.Run(ctx)
	if err != nil {
		return "", err
	}
	if format == "json" {
		return s.JSON() + "\n", nil
	}
	return s.String(), nil
}

// prepareRelease completes r with what the release proper needs from the engine: the scanned image as an OCI
// layout, the assets read out of it, the registry's host, the smoke test's endpoint and runner.
func (m *Delivery) prepareRelease(ctx context.Context, r *release.Release, tarball *dagger.File, image *dagger.Container,
	layout static.Layout, k6Script string, log func(format string, a ...any)) error {
	var err error
	if r.Image, err = exportImage(ctx, tarball); err != nil {
		return err
	}
	if !layout.None() {
		if r.AssetPrefix, err = layout.KeyPrefix(r.Targets.StaticPathPattern); err != nil {
			return &release.StageError{Stage: "assets", Err: err}
		}
		r.Assets = filepath.Join(os.TempDir(), "assets")
		if _, err := image.Directory(layout.Dir).Export(ctx, r.Assets); err != nil {
			return &release.StageError{Stage: "assets", Err: fmt.Errorf("exporting %s from the image: %s", layout.Dir, firstLine(err))}
		}
		log("static assets: %s of the image (%s) → s3://%s/%s", layout.Dir, layout.From, r.Targets.StaticBucket, r.AssetPrefix)
	}
	if k6Script != "" {
		r.SmokeRunner = m.k6Runner(k6Script)
	}
	if r.PushTo, err = m.pushHost(ctx); err != nil {
		return err
	}
	if m.AppEndpoint != nil {
		ep, err := m.AppEndpoint.Endpoint(ctx, dagger.ServiceEndpointOpts{Scheme: "http"})
		if err != nil {
			return &release.StageError{Stage: "smoke", Err: fmt.Errorf("app endpoint: %s", firstLine(err))}
		}
		r.Smoke.BaseURL = ep
	}
	return nil
}

// retentionOf reads deploy's retention flags.
func retentionOf(keep int, keepFor string) (static.Retention, error) {
	if keep < 1 {
		return static.Retention{}, fmt.Errorf("--keep-releases %d: at least the serving release must be kept (1)", keep)
	}
	grace, err := time.ParseDuration(keepFor)
	if keepFor == "0" {
		grace, err = static.NoGrace, nil
	}
	if err != nil || grace < 0 && grace != static.NoGrace {
		return static.Retention{}, fmt.Errorf("--keep-for %q: a duration such as 24h, or 0", keepFor)
	}
	return static.Retention{Keep: keep, Grace: grace}, nil
}

// smokePlan is the app's smoke.json, or GET /healthz and / when it ships none. Read before anything is deployed,
// so a broken file stops the release up front, naming the file: a typo must not quietly become the default test.
func (m *Delivery) smokePlan(ctx context.Context) (smoke.Plan, error) {
	raw, err := (&sourceDir{dir: m.Source}).ReadFile(ctx, smoke.PlanFile)
	if errors.Is(err, fs.ErrNotExist) {
		return smoke.DefaultPlan(), nil
	}
	if err != nil {
		return smoke.Plan{}, fmt.Errorf("%s: unreadable: %s", smoke.PlanFile, firstLine(err))
	}
	p, err := smoke.LoadPlan(raw)
	if err != nil && !strings.Contains(err.Error(), smoke.PlanFile) {
		err = fmt.Errorf("%s: %w", smoke.PlanFile, err)
	}
	return p, err
}

// sourceTag names an image by the content of its source when no commit is given.
func (m *Delivery) sourceTag(ctx context.Context) (string, error) {
	id, err := m.Source.Digest(ctx)
	if err != nil {
		return "", fmt.Errorf("digest of the source: %s", firstLine(err))
	}
	return "src-" + strings.TrimPrefix(id, "sha256:")[:12], nil
}
