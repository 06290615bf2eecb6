package release_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/ecs/ecsfake"
	"github.com/pixelsandpetals/delivery/pipeline/release"
	"github.com/pixelsandpetals/delivery/pipeline/smoke"
	"github.com/pixelsandpetals/delivery/pipeline/static"
	"github.com/pixelsandpetals/delivery/pipeline/terraform"
)

// env is one environment: S3, CloudFront and ECR in moto, images in a real registry, and ECS in the scripted
// fake — moto's ECS never advances or fails a deployment, so a rollout and its rollback can only be watched there.
type env struct {
	t        *testing.T
	s3       *s3.Client
	cf       *cloudfront.Client
	ecr      *awsecr.Client
	ecs      *awsecs.Client
	fake     *ecsfake.Server
	registry string
	targets  terraform.Targets
	app      *httptest.Server
	healthy  atomic.Bool
	v1       string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	m := testkit.StartMoto(t)
	cfg := m.Config(t)
	e := &env{t: t, s3: awsenv.S3(cfg), cf: cloudfront.NewFromConfig(cfg), ecr: awsecr.NewFromConfig(cfg),
		registry: testkit.StartRegistry(t), fake: ecsfake.New(t)}
	e.healthy.Store(true)
	e.app = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !e.healthy.Load() {
			http.Error(w, "boom", http.StatusBadGateway)
			return
		}
		_, _ = io.WriteString(w, "ok") // a failed write shows up as the smoke check's error
	}))
	t.Cleanup(e.app.Close)

	bucket := "pixels-static-dev"
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket, CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
		LocationConstraint: s3types.BucketLocationConstraint(testkit.Region)}}); err != nil {
		t.Fatal(err)
	}
	dist, err := e.cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String("release-test"), Comment: aws.String("dev"), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{Id: aws.String("s3"),
			DomainName: aws.String(bucket + ".s3.amazonaws.com"), S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("s3"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyAllowAll,
			//nolint:staticcheck // SA1019: with no CachePolicyId, CloudFront (and moto) want the legacy MinTTL/ForwardedValues
			MinTTL: aws.Int64(0), ForwardedValues: &cftypes.ForwardedValues{QueryString: aws.Bool(false),
				Cookies: &cftypes.CookiePreference{Forward: cftypes.ItemSelectionNone}}},
	}})
	if err != nil {
		t.Fatal(awsenv.Explain(err))
	}
	repo, err := e.ecr.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String("pixels-web-dev")})
	if err != nil {
		t.Fatal(awsenv.Explain(err))
	}

	ecsCfg, err := awsenv.Load(ctx, awsenv.Options{Region: testkit.Region, AccessKeyID: "testing", SecretAccessKey: "testing",
		Endpoint: e.fake.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.ecs = awsecs.NewFromConfig(ecsCfg)
	e.fake.CreateCluster("pixels-dev")
	td, err := e.ecs.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("pixels-web-dev"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("old:1"), Essential: aws.Bool(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	e.v1 = aws.ToString(td.TaskDefinition.TaskDefinitionArn)
	e.fake.CreateService("pixels-dev", "pixels-web", e.v1, 2)

	e.targets = terraform.Targets{ECRRepositoryURL: aws.ToString(repo.Repository.RepositoryUri), Cluster: "pixels-dev",
		Service: "pixels-web", Container: "app", StaticBucket: bucket, DistributionID: aws.ToString(dist.Distribution.Id),
		AppURL: e.app.URL, Region: testkit.Region, Environment: "dev"}
	return e
}

// release runs one release of a fresh random image and a site whose index.html says version. It returns the
// summary, the progress output and the release's error.
func (e *env) release(version string) (*release.Summary, string, error) {
	e.t.Helper()
	dir := e.t.TempDir()
	img, err := random.Image(512, 2)
	if err != nil {
		e.t.Fatal(err)
	}
	tarPath := filepath.Join(dir, "image.tar")
	if err := tarball.WriteToFile(tarPath, name.MustParseReference("app:build"), img); err != nil {
		e.t.Fatal(err)
	}
	// The assets read out of the image: each release renames its bundle (new content, new hash) and replaces
	// robots.txt in place (not hashed: cached copies must be invalidated).
	site := filepath.Join(dir, "assets")
	write(e.t, filepath.Join(site, "app."+version+"0000000.js"), "console.log('"+version+"')")
	write(e.t, filepath.Join(site, "robots.txt"), "release "+version)
	var progress bytes.Buffer
	s, err := release.Run(context.Background(), release.Release{
		Targets: e.targets, Image: tarPath, Tag: "commit-" + version, PushTo: e.registry, Assets: site, AssetPrefix: "assets/",
		Retention: static.Retention{Keep: 2, Grace: static.NoGrace},
		Smoke:     smoke.Plan{Checks: []smoke.Check{{Path: "/healthz", ExpectBody: "ok"}}, Rate: 20, Duration: 500 * time.Millisecond},
		ECR:       e.ecr, ECS: e.ecs, S3: e.s3, CloudFront: e.cf,
		RolloutTimeout: 20 * time.Second, PollInterval: 10 * time.Millisecond, Progress: &progress,
	})
	return s, progress.String(), err
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (e *env) object(key string) (body, contentType, cacheControl string) {
	e.t.Helper()
	out, err := e.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &e.targets.StaticBucket, Key: &key})
	if err != nil {
		e.t.Fatalf("s3://%s/%s: %s", e.targets.StaticBucket, key, awsenv.Explain(err))
	}
	defer func() { _ = out.Body.Close() }() // read-only
	b, _ := io.ReadAll(out.Body)
	return string(b), aws.ToString(out.ContentType), aws.ToString(out.CacheControl)
}

func TestRun_ReleasesImageTaskDefinitionAndSiteInOrder(t *testing.T) {
	e := newEnv(t)
	e.fake.Script(ecsfake.StartTasks(2), ecsfake.Complete())
	s, progress, err := e.release("a1")
	if err != nil {
		t.Fatalf("release failed: %v\n%s", err, progress)
	}
	// The image is in the registry under the commit tag, and ECS runs it pinned by digest.
	got, err := crane.Digest(e.registry+"/pixels-web-dev:commit-a1", crane.Insecure)
	if err != nil || got != s.Image.Digest {
		t.Fatalf("registry has %q (%v) for the commit tag, summary says %q", got, err, s.Image.Digest)
	}
	td, err := e.ecs.DescribeTaskDefinition(context.Background(), &awsecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(e.fake.ServiceTaskDefinition("pixels-dev", "pixels-web"))})
	if err != nil {
		t.Fatal(err)
	}
	if img := aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image); img != e.targets.ECRRepositoryURL+":commit-a1@"+s.Image.Digest {
		t.Errorf("the service runs %s, want the ECR reference pinned by digest", img)
	}
	if _, ct, cc := e.object("assets/app.a10000000.js"); !strings.HasPrefix(ct, "text/javascript") || !strings.Contains(cc, "immutable") {
		t.Errorf("hashed asset served as %q, %q", ct, cc)
	}
	// A first release only adds files: nothing cached to invalidate.
	if s.Static == nil || s.Static.Uploaded != 2 || s.Static.InvalidationID != "" || s.TaskDefinition != "pixels-web-dev:2" || s.Failed != "" {
		t.Errorf("summary: %s", s.JSON())
	}
	// The release is recorded with the keys it needs and the revision that runs it.
	releases, err := static.ListReleases(context.Background(), e.s3, e.targets.StaticBucket)
	if err != nil || len(releases) != 1 || releases[0].TaskDefinition != "pixels-web-dev:2" || releases[0].ImageDigest != s.Image.Digest ||
		!slices.Equal(releases[0].Keys, []string{"assets/app.a10000000.js", "assets/robots.txt"}) {
		t.Errorf("recorded releases %+v (%v)", releases, err)
	}
	var parsed map[string]any
	if err := json.Unmarshal([]byte(s.JSON()), &parsed); err != nil || parsed["environment"] != "dev" {
		t.Errorf("summary JSON does not parse: %v\n%s", err, s.JSON())
	}
	order := []string{}
	for _, st := range s.Stages {
		order = append(order, st.Name)
	}
	if strings.Join(order, ",") != "push,assets,rollout,smoke,cleanup,invalidate" {
		t.Errorf("stages ran in the order %v", order)
	}
	if !strings.Contains(s.String(), "released") {
		t.Errorf("human summary: %s", s)
	}

	// The next releases rename the bundle: the previous release's bundle stays (its HTML may still be served),
	// robots.txt changed in place and is invalidated, and only a bundle no retained release needs is deleted.
	for i, v := range []string{"b2", "c3"} {
		e.fake.Script(ecsfake.StartTasks(2), ecsfake.Complete())
		s, progress, err = e.release(v)
		if err != nil {
			t.Fatalf("release %s failed: %v\n%s", v, err, progress)
		}
		if s.Static.InvalidationID == "" || !slices.Equal(s.Static.InvalidationPaths, []string{"/assets/robots.txt"}) {
			t.Errorf("release %s invalidates %v, want exactly the replaced /assets/robots.txt", v, s.Static.InvalidationPaths)
		}
		if want := i; s.Static.Deleted != want { // keep 2: the third release deletes a1's bundle
			t.Errorf("release %s deleted %d objects, want %d", v, s.Static.Deleted, want)
		}
	}
	inv, err := e.cf.GetInvalidation(context.Background(), &cloudfront.GetInvalidationInput{
		DistributionId: &e.targets.DistributionID, Id: &s.Static.InvalidationID})
	if err != nil || inv.Invalidation == nil {
		t.Errorf("invalidation %s not on the distribution: %v", s.Static.InvalidationID, err)
	}
	for key, want := range map[string]bool{"assets/app.a10000000.js": false, "assets/app.b20000000.js": true, "assets/app.c30000000.js": true} {
		_, err := e.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &e.targets.StaticBucket, Key: aws.String(key)})
		if (err == nil) != want {
			t.Errorf("%s exists=%v after three releases keeping two, want %v", key, err == nil, want)
		}
	}
}

func TestRun_FailingSmokeRollsECSBackWithThePreviousAssets(t *testing.T) {
	e := newEnv(t)
	e.fake.Script(ecsfake.StartTasks(2), ecsfake.Complete())
	if _, progress, err := e.release("a1"); err != nil {
		t.Fatalf("first release: %v\n%s", err, progress)
	}
	v2 := e.fake.ServiceTaskDefinition("pixels-dev", "pixels-web")

	e.healthy.Store(false)
	e.fake.Script(ecsfake.StartTasks(2), ecsfake.Complete())
	e.fake.Script(ecsfake.StartTasks(2), ecsfake.Complete()) // the rollback's own deployment
	s, progress, err := e.release("b2")
	if err == nil {
		t.Fatalf("a release whose smoke test fails must fail\n%s", progress)
	}
	if !strings.Contains(err.Error(), "smoke test failed") || !strings.Contains(err.Error(), "is serving with its assets") {
		t.Errorf("the error should say the smoke test failed and what is serving: %v", err)
	}
	if now := e.fake.ServiceTaskDefinition("pixels-dev", "pixels-web"); now != v2 {
		t.Errorf("ECS runs %s after the failed release, want the previous %s", now, v2)
	}
	if body, _, _ := e.object("assets/app.a10000000.js"); !strings.Contains(body, "a1") {
		t.Errorf("the serving release's bundle is gone after the failed release: %q", body)
	}
	if len(s.Stages) == 0 || s.Stages[len(s.Stages)-1].Name != "smoke" {
		t.Errorf("nothing may run after a failed smoke test (no cleanup): %s", s.JSON())
	}
	if !s.RolledBack || s.Failed != "smoke" {
		t.Errorf("summary: %s", s.JSON())
	}
}

func TestRun_SameImageAgainIsNotPushedTwice(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	img, _ := random.Image(256, 1)
	tarPath := filepath.Join(dir, "image.tar")
	if err := tarball.WriteToFile(tarPath, name.MustParseReference("app:build"), img); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		e.fake.Script(ecsfake.StartTasks(2), ecsfake.Complete())
		s, err := release.Run(context.Background(), release.Release{Targets: e.targets, Image: tarPath, Tag: "same",
			PushTo: e.registry, ECR: e.ecr, ECS: e.ecs, S3: e.s3, CloudFront: e.cf,
			Smoke:          smoke.Plan{Checks: []smoke.Check{{Path: "/"}}, Rate: 10, Duration: 200 * time.Millisecond},
			RolloutTimeout: 20 * time.Second, PollInterval: 10 * time.Millisecond})
		if err != nil {
			t.Fatalf("release %d: %v", i+1, err)
		}
		if s.Image.AlreadyThere != (i == 1) {
			t.Errorf("release %d: alreadyThere=%v", i+1, s.Image.AlreadyThere)
		}
	}
}

// A deploy cancelled while its smoke test fails (a CI job stopped, Ctrl-C) still rolls ECS back: the rollback runs
// on a context of its own, bounded by the rollout timeout.
func TestRun_RollbackAfterAFailedSmokeSurvivesCancellation(t *testing.T) {
	e := newEnv(t)
	e.fake.Script(ecsfake.StartTasks(2), ecsfake.Complete())
	if _, progress, err := e.release("a1"); err != nil {
		t.Fatalf("first release: %v\n%s", err, progress)
	}
	v2 := e.fake.ServiceTaskDefinition("pixels-dev", "pixels-web")
	e.fake.Script(ecsfake.StartTasks(2), ecsfake.Complete())
	e.fake.Script(ecsfake.StartTasks(2), ecsfake.Complete()) // the rollback's own deployment

	dir := t.TempDir()
	img, _ := random.Image(256, 1)
	tarPath := filepath.Join(dir, "image.tar")
	if err := tarball.WriteToFile(tarPath, name.MustParseReference("app:build"), img); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := release.Run(ctx, release.Release{Targets: e.targets, Image: tarPath, Tag: "cancelled",
		PushTo: e.registry, ECR: e.ecr, ECS: e.ecs, S3: e.s3, CloudFront: e.cf,
		SmokeRunner: func(context.Context, smoke.Plan) (smoke.Result, error) {
			cancel() // the job is stopped while the smoke test runs
			return smoke.Result{Passed: false, Failures: []string{"GET / 500"}}, nil
		},
		RolloutTimeout: 20 * time.Second, PollInterval: 10 * time.Millisecond})
	if err == nil || !s.RolledBack {
		t.Fatalf("want a failed, rolled-back release: %v\n%s", err, s.JSON())
	}
	if now := e.fake.ServiceTaskDefinition("pixels-dev", "pixels-web"); now != v2 {
		t.Errorf("after the cancelled release ECS runs %s, want the previous %s", now, v2)
	}
}
