// Package release takes a built, scanned image and the static assets read out of it to a running environment, in
// the one order that never shows a visitor a broken page for this stack's routing — CloudFront sends the static
// path pattern (e.g. /assets/*) to the bucket and everything else, HTML included, to the app on ECS:
//
//	push the image → upload its assets next to the old ones and record the release → roll ECS out and watch it →
//	smoke-test the new tasks → delete the assets no retained release needs → invalidate the non-hashed assets that
//	changed.
//
// The HTML visitors get comes from whichever tasks answer: old ones while they drain, new ones after, the previous
// ones again after a rollback. Each of them finds its assets, because uploads are additive and cleanup keeps every
// asset of the last releases (and of every recent one). A failed rollout is rolled back by the ECS stage; a failed
// smoke test rolls ECS back here; in both cases nothing was deleted, so the previous release serves, whole.
//
// It needs no Dagger: the module's deploy function composes it after building and scanning, and tests drive it
// against moto, a registry and a scripted ECS.
package release

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/pixelsandpetals/delivery/pipeline/ecr"
	"github.com/pixelsandpetals/delivery/pipeline/ecs"
	"github.com/pixelsandpetals/delivery/pipeline/smoke"
	"github.com/pixelsandpetals/delivery/pipeline/static"
	"github.com/pixelsandpetals/delivery/pipeline/terraform"
)

// Release is one release of one environment.
type Release struct {
	// Targets are the environment's deploy targets, from terraform output.
	Targets terraform.Targets
	// Image is the image tarball to push (OCI or docker format); Tag names it, normally the git commit.
	Image string
	Tag   string
	// PushTo overrides the registry host the image bytes go to (a mirror, LocalStack); the task definition still
	// references Targets.ECRRepositoryURL. Empty: the repository URL's own host.
	PushTo string
	// Auth logs in to the registry; nil: anonymous.
	Auth authn.Authenticator
	// Assets is the directory of the static assets read out of Image; empty: the app has none.
	Assets string
	// AssetPrefix is the bucket key prefix of the distribution's static path pattern, e.g. "assets/".
	AssetPrefix string
	// Retention decides which releases' assets the cleanup keeps.
	Retention static.Retention
	// Smoke is the smoke test of the new tasks; its BaseURL defaults to Targets.AppURL.
	Smoke smoke.Plan
	// SmokeRunner replaces the built-in runner (e.g. k6 in a container); it gets the plan with BaseURL set.
	SmokeRunner func(ctx context.Context, plan smoke.Plan) (smoke.Result, error)
	// Clients.
	ECR        ecr.DescribeRepositoriesAPI
	ECS        ecs.Client
	S3         static.S3API
	CloudFront static.CloudFrontAPI
	// RolloutTimeout and PollInterval bound the ECS watch (defaults: the ECS stage's).
	RolloutTimeout, PollInterval time.Duration
	// Progress receives one line per step.
	Progress io.Writer
}

// Run releases. The summary is filled as far as the release got, also when it fails.
func Run(ctx context.Context, r Release) (*Summary, error) {
	s := &Summary{Environment: r.Targets.Environment, Tag: r.Tag, Started: time.Now()}
	out := r.Progress
	if out == nil {
		out = io.Discard
	}
	fail := func(stage string, err error) (*Summary, error) {
		s.Failed = stage
		s.finish()
		return s, fmt.Errorf("release %s: %s: %w", r.Targets.Environment, stage, err)
	}

	// 1. Image. The task definition references the repository URL pinned by digest, so ECS runs exactly the
	// bytes that were scanned, even if the tag is moved later.
	repo := r.Targets.ECRRepositoryURL
	if r.PushTo != "" {
		repo = r.PushTo + repo[hostLen(repo):]
	}
	push, err := timed(s, "push", func() (ecr.PushResult, error) {
		return ecr.Push(ctx, ecr.PushOptions{Image: r.Image, Repository: repo, Tag: r.Tag, Auth: r.Auth, ECR: r.ECR, Progress: out})
	})
	if err != nil {
		return fail("push", err)
	}
	s.Image = Image{Reference: r.Targets.ECRRepositoryURL + ":" + r.Tag + "@" + push.Digest, Digest: push.Digest,
		AlreadyThere: push.AlreadyThere}

	// 2. The new assets next to the old ones: nothing references them yet, and the release is recorded with the
	// keys it needs before any task can serve HTML that references them.
	var pub *static.Publisher
	manifest := static.ReleaseManifest{Tag: r.Tag, ImageDigest: push.Digest}
	if r.Assets != "" {
		pub, err = timed(s, "assets", func() (*static.Publisher, error) {
			p, err := static.Prepare(ctx, r.S3, r.CloudFront, static.PublishOptions{Bucket: r.Targets.StaticBucket,
				Prefix: r.AssetPrefix, Dir: r.Assets, DistributionID: r.Targets.DistributionID, Additive: true, Progress: out})
			if err != nil {
				return nil, err
			}
			if err := p.UploadAssets(ctx); err != nil {
				return nil, err
			}
			// An .html file among the assets is just another asset here (HTML pages come from the app).
			if err := p.SwitchHTML(ctx); err != nil {
				return nil, err
			}
			manifest.Keys = p.Keys()
			return p, static.RecordRelease(ctx, r.S3, r.Targets.StaticBucket, manifest)
		})
		if err != nil {
			return fail("assets", err)
		}
	}

	// 3. ECS. The stage watches our deployment and rolls back by itself when it fails.
	rollout, err := timed(s, "rollout", func() (ecs.RolloutResult, error) {
		return ecs.Rollout(ctx, r.ECS, ecs.RolloutOptions{Cluster: r.Targets.Cluster, Service: r.Targets.Service,
			Container: r.Targets.Container, Image: s.Image.Reference, Progress: out,
			Timeout: r.RolloutTimeout, PollInterval: r.PollInterval})
	})
	s.TaskDefinition, s.Previous = rollout.New.Label, rollout.Previous.Label
	if rollout.Base != rollout.Previous && rollout.Base.Label != "" {
		s.Base = rollout.Base.Label
	}
	if pub != nil && rollout.New.Label != "" {
		// The revision that runs this release: what rollback chooses from.
		manifest.TaskDefinition = rollout.New.Label
		if err := static.RecordRelease(ctx, r.S3, r.Targets.StaticBucket, manifest); err != nil {
			_, _ = fmt.Fprintf(out, "warning: recording %s as the release of %s: %v\n", rollout.New.Label, r.Tag, err) // progress is best-effort
		}
	}
	if err != nil {
		s.RolledBack = rollout.RolledBack
		return fail("rollout", err)
	}

	// 4. Smoke test the new tasks, through the same URL visitors use.
	plan := r.Smoke
	if plan.BaseURL == "" {
		plan.BaseURL = r.Targets.AppURL
	}
	res, err := timed(s, "smoke", func() (smoke.Result, error) {
		if r.SmokeRunner != nil {
			return r.SmokeRunner(ctx, plan)
		}
		return smoke.Run(ctx, plan, out)
	})
	s.Smoke = &res
	if err == nil && !res.Passed {
		err = fmt.Errorf("smoke test failed: %s", joinFailures(res.Failures))
	}
	if err != nil {
		// The rollback must happen even when the deploy itself is being cancelled (a CI job stopped, Ctrl-C):
		// a release left half-rolled-out is worse than one that took a little longer to stop. Bounded.
		rbCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackBound(r.RolloutTimeout))
		defer cancel()
		back, rbErr := ecs.Rollback(rbCtx, r.ECS, ecs.RollbackOptions{Cluster: r.Targets.Cluster, Service: r.Targets.Service,
			To: rollout.Previous.ARN, Progress: out, Timeout: r.RolloutTimeout, PollInterval: r.PollInterval})
		if rbErr != nil {
			return fail("smoke", fmt.Errorf("%w; rolling ECS back to %s also failed: %v", err, rollout.Previous.Label, rbErr))
		}
		s.RolledBack = true
		return fail("smoke", fmt.Errorf("%w; ECS rolled back, %s is serving with its assets", err, back.New.Label))
	}

	// 5. Delete what no retained release references any more, then invalidate what changed in place.
	if pub != nil {
		cleaned, err := timed(s, "cleanup", func() (static.CleanupResult, error) {
			return static.Cleanup(ctx, r.S3, r.Targets.StaticBucket, r.AssetPrefix, r.Retention, time.Now(), out)
		})
		if err != nil {
			return fail("cleanup", fmt.Errorf("%w; the new release is live", err))
		}
		if _, err := timed(s, "invalidate", func() (struct{}, error) {
			if err := pub.DeleteStale(ctx); err != nil { // additive: deletes nothing, the publisher's order wants it
				return struct{}{}, err
			}
			return struct{}{}, pub.Invalidate(ctx)
		}); err != nil {
			return fail("invalidate", err)
		}
		pr := pub.Result()
		s.Static = &Static{Uploaded: pr.Uploaded(), Unchanged: pr.Unchanged, Deleted: cleaned.Deleted,
			Bytes: pr.BytesUploaded, InvalidationID: pr.InvalidationID, InvalidationPaths: pr.InvalidationPaths,
			Retained: cleaned.Plan.Retained}
	}
	s.finish()
	return s, nil
}

// rollbackBound is how long a rollback may outlive a cancelled deploy: the rollout's own bound, or 15 minutes.
func rollbackBound(rollout time.Duration) time.Duration {
	if rollout <= 0 {
		return 15 * time.Minute
	}
	return rollout
}

// timed runs one step and records its wall time.
func timed[T any](s *Summary, stage string, f func() (T, error)) (T, error) {
	start := time.Now()
	v, err := f()
	s.Stages = append(s.Stages, Stage{Name: stage, Duration: time.Since(start), OK: err == nil})
	return v, err
}

// hostLen is the length of the registry host part of a repository URL.
func hostLen(repo string) int {
	for i := range repo {
		if repo[i] == '/' {
			return i
		}
	}
	return len(repo)
}

func joinFailures(fs []string) string {
	if len(fs) == 0 {
		return "no reason given"
	}
	return strings.Join(fs, "; ")
}
