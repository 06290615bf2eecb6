// Package release takes a built, scanned image and a directory of static files to a running environment, in
// the one order that never shows users a broken page: push the image → upload the new content-hashed assets
// (old HTML still references old assets, which stay) → roll ECS out and watch it → smoke-test the new tasks →
// switch the HTML → delete stale files → invalidate CloudFront. A failed rollout is rolled back by the ECS stage;
// a failed smoke test rolls ECS back here; in both cases the HTML was never switched, so the previous release
// keeps serving, whole.
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
	// Assets is the directory of static files; empty skips the static publish.
	Assets string
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

	// 2. New assets next to the old ones: nothing references them yet.
	var pub *static.Publisher
	if r.Assets != "" {
		pub, err = timed(s, "assets", func() (*static.Publisher, error) {
			p, err := static.Prepare(ctx, r.S3, r.CloudFront, static.PublishOptions{Bucket: r.Targets.StaticBucket,
				Dir: r.Assets, DistributionID: r.Targets.DistributionID, Progress: out})
			if err != nil {
				return nil, err
			}
			return p, p.UploadAssets(ctx)
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
	if err != nil {
		s.RolledBack = rollout.RolledBack
		return fail("rollout", err)
	}

	// 4. Smoke test the new tasks before users get the new HTML.
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
		back, rbErr := ecs.Rollback(ctx, r.ECS, ecs.RollbackOptions{Cluster: r.Targets.Cluster, Service: r.Targets.Service,
			To: rollout.Previous.ARN, Progress: out, Timeout: r.RolloutTimeout, PollInterval: r.PollInterval})
		if rbErr != nil {
			return fail("smoke", fmt.Errorf("%w; rolling ECS back to %s also failed: %v", err, rollout.Previous.Label, rbErr))
		}
		s.RolledBack = true
		return fail("smoke", fmt.Errorf("%w; ECS rolled back, %s is serving and the previous HTML is still live", err, back.New.Label))
	}

	// 5. Switch the HTML, then delete what no page references any more, then invalidate.
	if pub != nil {
		if _, err := timed(s, "html", func() (struct{}, error) { return struct{}{}, pub.SwitchHTML(ctx) }); err != nil {
			return fail("html", err)
		}
		if _, err := timed(s, "delete", func() (struct{}, error) { return struct{}{}, pub.DeleteStale(ctx) }); err != nil {
			return fail("delete", err)
		}
		if _, err := timed(s, "invalidate", func() (struct{}, error) { return struct{}{}, pub.Invalidate(ctx) }); err != nil {
			return fail("invalidate", err)
		}
		pr := pub.Result()
		s.Static = &Static{Uploaded: pr.Uploaded(), Unchanged: pr.Unchanged, Deleted: pr.Deleted,
			Bytes: pr.BytesUploaded, InvalidationID: pr.InvalidationID, InvalidationPaths: pr.InvalidationPaths}
	}
	s.finish()
	return s, nil
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
