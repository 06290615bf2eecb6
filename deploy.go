package main

import (
	"context"
	"errors"
	"fmt"
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
	"github.com/pixelsandpetals/delivery/pipeline/ecs"
	"github.com/pixelsandpetals/delivery/pipeline/release"
	"github.com/pixelsandpetals/delivery/pipeline/smoke"
	"github.com/pixelsandpetals/delivery/pipeline/terraform"
)

// target is one environment, checked: its Terraform directory, backend settings and a verified AWS config.
type target struct {
	env     string
	dir     string
	backend map[string]string
	cfg     aws.Config
}

// open checks the environment name and the credentials, in that order, before anything is changed.
func (m *Delivery) open(ctx context.Context, env string) (*target, error) {
	dir, err := m.environment(ctx, env)
	if err != nil {
		return nil, err
	}
	backend, err := backendSettings(dir, env)
	if err != nil {
		return nil, err
	}
	cfg, err := m.aws().config(ctx, backend["region"])
	if err != nil {
		return nil, err
	}
	return &target{env: env, dir: dir, backend: backend, cfg: cfg}, nil
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
) (string, error) {
	t, err := m.open(ctx, env)
	if err != nil {
		return "", err
	}
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

// Deploy takes the source to an environment: check ∥ build → scan the image (gate) → the app's integration
// tests against the image (its test:integration script, when it has one) → terraform plan → refuse
// destroying changes in prod unless allowed → apply → push the image (skipped when the digest is already there) →
// upload new hashed assets → ECS rollout (watched, rolled back on failure) → smoke test (failure rolls ECS back;
// the previous HTML stays live) → switch HTML → delete stale files → invalidate CloudFront → release summary.
// A second deploy of the same environment while one runs is refused.
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
	// Directory of static files in the source.
	// +default="public"
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
	// Slack incoming webhook URL (a secret): the release summary is posted there, success or failure.
	// +optional
	slackWebhook *dagger.Secret,
	// A k6 script in the source (e.g. k6/smoke.js) to smoke-test with instead of the built-in runner; the gate
	// fails on failed thresholds and on failed checks.
	// +optional
	k6Script string,
) (string, error) {
	timeout, err := time.ParseDuration(rolloutTimeout)
	if err != nil {
		return "", fmt.Errorf("--rollout-timeout: %v", err)
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
	t, err := m.open(ctx, env)
	if err != nil {
		return "", err
	}
	if tag == "" {
		if tag, err = m.sourceTag(ctx); err != nil {
			return "", err
		}
	}
	unlock, err := release.Lock(ctx, dynamodb.NewFromConfig(t.cfg), t.backend["dynamodb_table"], env, "deploy of "+tag)
	if err != nil {
		return "", err
	}
	defer func() {
		// The release's outcome is decided by now: a lock left behind does not undo it, it only blocks the next
		// deploy, so it is a loud warning rather than a failure.
		if err := unlock(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintf(os.Stderr, "deploy %s: warning: %v\n", env, err)
		}
	}()
	started := time.Now()
	log := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "deploy %s: "+format+"\n", append([]any{env}, a...)...)
	}
	// The stages before the release proper, timed for the summary (release.Run times its own).
	var before []release.Stage
	mark := func(name string, since time.Time) time.Time {
		now := time.Now()
		before = append(before, release.Stage{Name: name, Duration: now.Sub(since), OK: true})
		return now
	}
	stageStart := started

	// check ∥ build: the image is scanned before anything leaves the machine.
	checkErr := make(chan error, 1)
	go func() {
		if skipCheck {
			checkErr <- nil
			return
		}
		_, err := m.Check(ctx)
		checkErr <- err
	}()
	log("building the image")
	image, err := m.Build(ctx, "Dockerfile", "")
	if err != nil {
		// Wait for the check so it does not outlive the call, and report its failure too rather than drop it.
		if cerr := <-checkErr; cerr != nil {
			return "", errors.Join(err, fmt.Errorf("deploy %s: %w", env, cerr))
		}
		return "", err
	}
	if err := <-checkErr; err != nil {
		return "", fmt.Errorf("deploy %s: %w", env, err)
	}
	if skipCheck {
		stageStart = mark("build", stageStart)
	} else {
		stageStart = mark("check+build", stageStart)
	}
	log("scanning the image")
	tarball, err := m.gatedTarball(ctx, image, gate)
	if err != nil {
		return "", fmt.Errorf("deploy %s: %w", env, err)
	}
	stageStart = mark("scan", stageStart)
	log("integration tests against the image")
	it := &checks.Report{Results: []checks.Result{m.integration(ctx, image, appPort)}}
	if err := withSummary(it); err != nil {
		return "", fmt.Errorf("deploy %s: %w", env, err)
	}
	stageStart = mark("integration", stageStart)

	log("terraform plan and apply")
	targets, sum, err := m.apply(ctx, t, allowDestroy, tfVar)
	if err != nil {
		return "", err
	}
	mark("terraform", stageStart)

	imagePath, err := exportImage(ctx, tarball)
	if err != nil {
		return "", fmt.Errorf("deploy %s: %w", env, err)
	}
	assetsPath := ""
	if d, err := m.Assets(ctx, assets); err == nil {
		assetsPath = filepath.Join(os.TempDir(), "assets")
		if _, err := d.Export(ctx, assetsPath); err != nil {
			return "", fmt.Errorf("deploy %s: exporting the static files: %s", env, firstLine(err))
		}
	}
	smokePlan, err := m.smokePlan(ctx)
	if err != nil {
		return "", err
	}
	ecrClient := awsecr.NewFromConfig(t.cfg)
	r := release.Release{Targets: targets, Image: imagePath, Tag: tag, Assets: assetsPath, Smoke: smokePlan,
		ECR: ecrClient, ECS: awsecs.NewFromConfig(t.cfg), S3: awsenv.S3(t.cfg),
		CloudFront: cloudfront.NewFromConfig(t.cfg), RolloutTimeout: timeout, Progress: os.Stderr}
	if r.Auth, err = ecr.Login(ctx, ecrClient, ""); err != nil {
		return "", err
	}
	if k6Script != "" {
		r.SmokeRunner = m.k6Runner(k6Script)
	}
	if r.PushTo, err = m.pushHost(ctx); err != nil {
		return "", err
	}
	if m.AppEndpoint != nil {
		ep, err := m.AppEndpoint.Endpoint(ctx, dagger.ServiceEndpointOpts{Scheme: "http"})
		if err != nil {
			return "", fmt.Errorf("app endpoint: %s", firstLine(err))
		}
		r.Smoke.BaseURL = ep
	}
	s, err := release.Run(ctx, r)
	if s != nil {
		s.Infrastructure = sum.Counts()
		s.Stages = append(before, s.Stages...)
		s.Started = started
		s.Duration = time.Since(started)
		if slackWebhook != nil {
			url, perr := slackWebhook.Plaintext(ctx)
			if perr == nil {
				perr = release.Notify(ctx, url, s)
			}
			if perr != nil {
				log("warning: %v", perr)
			}
		}
	}
	if err != nil {
		if s != nil {
			return "", fmt.Errorf("%w\n\n%s", err, s.String())
		}
		return "", err
	}
	if format == "json" {
		return s.JSON() + "\n", nil
	}
	return s.String(), nil
}

// smokePlan is the app's smoke.json, or GET /healthz and / when it ships none. Read before anything is deployed,
// so a broken file stops the release up front.
func (m *Delivery) smokePlan(ctx context.Context) (smoke.Plan, error) {
	raw, err := m.Source.File(smoke.PlanFile).Contents(ctx)
	if err != nil {
		return smoke.DefaultPlan(), nil
	}
	return smoke.LoadPlan([]byte(raw))
}

// sourceTag names an image by the content of its source when no commit is given.
func (m *Delivery) sourceTag(ctx context.Context) (string, error) {
	id, err := m.Source.Digest(ctx)
	if err != nil {
		return "", fmt.Errorf("digest of the source: %s", firstLine(err))
	}
	return "src-" + strings.TrimPrefix(id, "sha256:")[:12], nil
}

// Rollback puts an environment's ECS service back on a previous task definition revision (the one before the
// current by default) and waits until it serves.
// +cache="never"
func (m *Delivery) Rollback(
	ctx context.Context,
	// Environment, e.g. prod.
	env string,
	// Revision to roll back to: family:revision or an ARN; default: the previous revision.
	// +optional
	to string,
) (string, error) {
	t, targets, err := m.openApplied(ctx, env)
	if err != nil {
		return "", err
	}
	res, err := ecs.Rollback(ctx, awsecs.NewFromConfig(t.cfg), ecs.RollbackOptions{Cluster: targets.Cluster,
		Service: targets.Service, To: to, Progress: os.Stderr})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("rollback %s: %s is serving (was %s)\n", env, res.New.Label, res.Previous.Label), nil
}

// Status shows what an environment runs: task definition, image, task counts, deployments and recent events.
// +cache="never"
func (m *Delivery) Status(
	ctx context.Context,
	// Environment, e.g. prod.
	env string,
) (string, error) {
	t, targets, err := m.openApplied(ctx, env)
	if err != nil {
		return "", err
	}
	st, err := ecs.Describe(ctx, awsecs.NewFromConfig(t.cfg), targets.Cluster, targets.Service)
	if err != nil {
		return "", err
	}
	return st.String(), nil
}
