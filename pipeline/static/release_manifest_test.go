package static_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/static"
)

// releaseBucket is an empty bucket in a moto, for release manifests and cleanups.
type releaseBucket struct {
	s3   *s3.Client
	name string
}

func newReleaseBucket(t testing.TB, m *testkit.Moto, name string) *releaseBucket {
	t.Helper()
	b := &releaseBucket{s3: awsenv.S3(m.Config(t)), name: name}
	if _, err := b.s3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(testkit.Region)}}); err != nil {
		t.Fatal(awsenv.Explain(err))
	}
	return b
}

func (b *releaseBucket) putObject(t testing.TB, key, body string) {
	t.Helper()
	if _, err := b.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(b.name),
		Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
		t.Fatalf("PutObject %s: %s", key, awsenv.Explain(err))
	}
}

func (b *releaseBucket) exists(t testing.TB, key string) bool {
	t.Helper()
	_, err := b.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(b.name), Key: aws.String(key)})
	if err != nil && strings.Contains(err.Error(), "NotFound") {
		return false
	}
	if err != nil {
		t.Fatalf("HeadObject %s: %s", key, awsenv.Explain(err))
	}
	return true
}

func (b *releaseBucket) body(t testing.TB, key string) string {
	t.Helper()
	out, err := b.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(b.name), Key: aws.String(key)},
		func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	if err != nil {
		t.Fatalf("GetObject %s: %s", key, awsenv.Explain(err))
	}
	defer func() { _ = out.Body.Close() }() // read-only
	raw, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// all lists every key in the bucket.
func (b *releaseBucket) all(t testing.TB) []string {
	t.Helper()
	var keys []string
	pages := s3.NewListObjectsV2Paginator(b.s3, &s3.ListObjectsV2Input{Bucket: aws.String(b.name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

func (b *releaseBucket) record(t testing.TB, m static.ReleaseManifest) {
	t.Helper()
	if err := static.RecordRelease(context.Background(), b.s3, b.name, m); err != nil {
		t.Fatal(err)
	}
}

func (b *releaseBucket) releases(t testing.TB) []static.ReleaseManifest {
	t.Helper()
	rs, err := static.ListReleases(context.Background(), b.s3, b.name)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// digestOf is a well-formed digest, distinct per seed.
func digestOf(seed string) string {
	return "sha256:" + (seed + strings.Repeat("0", 64))[:64]
}

// countingPuts counts PutObject calls.
type countingPuts struct {
	static.S3API
	puts atomic.Int32
}

func (c *countingPuts) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	c.puts.Add(1)
	return c.S3API.PutObject(ctx, in, o...)
}

// A release is recorded once per build: re-running the pipeline writes nothing, the task definition is filled in
// later without losing the keys or the age, and a rebuilt image under the same tag replaces the record.
func TestRecordRelease_IdempotentThenTaskDefinitionThenNewDigest(t *testing.T) {
	b := newReleaseBucket(t, testkit.StartMoto(t), "releases")
	c := &countingPuts{S3API: b.s3}
	ctx := context.Background()
	first := time.Date(2025, 5, 1, 10, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	m := static.ReleaseManifest{Tag: "3f2c9a1", ImageDigest: digestOf("aa"), Created: first,
		Keys: []string{"assets/style.5d41402a.css", "assets/app.8f3a2b1c.js", "assets/app.8f3a2b1c.js"}}
	for range 2 {
		if err := static.RecordRelease(ctx, c, b.name, m); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.puts.Load(); n != 1 {
		t.Errorf("recording the same release twice made %d writes, want 1", n)
	}

	// The layout other tools (and people) read.
	var doc map[string]any
	if err := json.Unmarshal([]byte(b.body(t, ".releases/3f2c9a1.json")), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"version": float64(1), "tag": "3f2c9a1", "imageDigest": digestOf("aa"),
		"created": "2025-05-01T08:00:00Z", "keys": []any{"assets/app.8f3a2b1c.js", "assets/style.5d41402a.css"}}
	if got, _ := json.Marshal(doc); string(got) != mustJSON(t, want) {
		t.Errorf("manifest object = %s, want %s", got, mustJSON(t, want))
	}

	// Later: the rollout registered web:42. Keys and Created are not given again.
	if err := static.RecordRelease(ctx, c, b.name, static.ReleaseManifest{Tag: "3f2c9a1", ImageDigest: digestOf("aa"),
		TaskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:42"}); err != nil {
		t.Fatal(err)
	}
	rs := b.releases(t)
	if len(rs) != 1 || !rs[0].Created.Equal(first) || len(rs[0].Keys) != 2 || !strings.HasSuffix(rs[0].TaskDefinition, "/web:42") {
		t.Fatalf("after setting the task definition: %+v", rs)
	}

	// A rebuilt image under the same tag.
	second := first.Add(time.Hour)
	b.record(t, static.ReleaseManifest{Tag: "3f2c9a1", ImageDigest: digestOf("bb"), Created: second,
		Keys: []string{"assets/app.99999999.js"}})
	rs = b.releases(t)
	if len(rs) != 1 || rs[0].ImageDigest != digestOf("bb") || !rs[0].Created.Equal(second) || rs[0].TaskDefinition != "" ||
		strings.Join(rs[0].Keys, ",") != "assets/app.99999999.js" {
		t.Fatalf("after a re-release with another digest: %+v", rs)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Bad input is refused before any call to S3 (a nil client would panic).
func TestRecordRelease_BadInputIsOneLine(t *testing.T) {
	for name, m := range map[string]static.ReleaseManifest{
		"tag with a slash":   {Tag: "feature/x", ImageDigest: digestOf("a")},
		"empty tag":          {ImageDigest: digestOf("a")},
		"no digest":          {Tag: "v1"},
		"digest is a tag":    {Tag: "v1", ImageDigest: "latest"},
		"absolute key":       {Tag: "v1", ImageDigest: digestOf("a"), Keys: []string{"/assets/a.js"}},
		"a manifest as key":  {Tag: "v1", ImageDigest: digestOf("a"), Keys: []string{".releases/v0.json"}},
		"an empty key":       {Tag: "v1", ImageDigest: digestOf("a"), Keys: []string{""}},
		"tag of 129 letters": {Tag: strings.Repeat("a", 129), ImageDigest: digestOf("a")},
	} {
		t.Run(name, func(t *testing.T) {
			err := static.RecordRelease(context.Background(), nil, "bucket", m)
			if err == nil || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "static release record: ") {
				t.Fatalf("err = %v, want one line starting with the action", err)
			}
		})
	}
}

// ListReleases orders by creation, whatever the tags; FindRelease maps what ECS runs back to a release.
func TestListReleases_NewestFirstAndFindRelease(t *testing.T) {
	b := newReleaseBucket(t, testkit.StartMoto(t), "releases")
	now := time.Now().UTC().Truncate(time.Second)
	b.record(t, static.ReleaseManifest{Tag: "zzz", ImageDigest: digestOf("1"), Created: now.Add(-3 * time.Hour),
		TaskDefinition: "web:1"})
	b.record(t, static.ReleaseManifest{Tag: "aaa", ImageDigest: digestOf("2"), Created: now.Add(-time.Hour),
		TaskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:2"})
	b.record(t, static.ReleaseManifest{Tag: "mmm", ImageDigest: digestOf("3"), Created: now.Add(-2 * time.Hour)})
	b.putObject(t, static.ReleasePrefix, "") // a console folder marker is no release
	rs := b.releases(t)
	var tags []string
	for _, r := range rs {
		tags = append(tags, r.Tag)
	}
	if strings.Join(tags, ",") != "aaa,mmm,zzz" {
		t.Fatalf("releases = %v, want newest first: aaa,mmm,zzz", tags)
	}
	for ref, want := range map[string]string{
		"web:2": "aaa", // the label of a stored ARN
		"arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1": "zzz", // the ARN of a stored label
		digestOf("3"): "mmm",
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:mmm@" + digestOf("3"): "mmm",
		"zzz":         "zzz",
		"web:3":       "",
		"":            "",
		digestOf("9"): "",
	} {
		got, ok := static.FindRelease(rs, ref)
		if ok != (want != "") || got.Tag != want {
			t.Errorf("FindRelease(%q) = %q, %v; want %q", ref, got.Tag, ok, want)
		}
	}
}

// A manifest that cannot be read stops the listing with its key: a cleanup that skipped it would delete what
// that release needs.
func TestListReleases_InvalidManifestIsAnErrorNamingItsKey(t *testing.T) {
	m := testkit.StartMoto(t)
	good := `{"version":1,"tag":"v1","imageDigest":"` + digestOf("1") + `","created":"2025-05-01T08:00:00Z","keys":[]}`
	for name, c := range map[string]struct{ key, body string }{
		"not JSON":           {".releases/v2.json", "{"},
		"newer version":      {".releases/v2.json", strings.Replace(good, `"version":1`, `"version":2`, 1)},
		"tag is not its key": {".releases/v2.json", good},
		"no created":         {".releases/v1.json", strings.Replace(good, `"2025-05-01T08:00:00Z"`, `"0001-01-01T00:00:00Z"`, 1)},
		"not a tag":          {".releases/notes.txt", "hello"},
	} {
		t.Run(name, func(t *testing.T) {
			b := newReleaseBucket(t, m, "bucket-"+strings.ReplaceAll(name, " ", "-"))
			b.record(t, static.ReleaseManifest{Tag: "v0", ImageDigest: digestOf("0")})
			b.putObject(t, c.key, c.body)
			_, err := static.ListReleases(context.Background(), b.s3, b.name)
			if err == nil || !strings.Contains(err.Error(), c.key) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line naming %s", err, c.key)
			}
			if err := static.RecordRelease(context.Background(), b.s3, b.name, static.ReleaseManifest{Tag: "v1",
				ImageDigest: digestOf("1")}); c.key == ".releases/v1.json" && err == nil {
				t.Error("recording over an unreadable manifest of the same tag succeeded")
			}
		})
	}
}

func TestListReleases_MissingBucketSaysSo(t *testing.T) {
	c := awsenv.S3(testkit.StartMoto(t).Config(t))
	_, err := static.ListReleases(context.Background(), c, "no-such-bucket")
	if err == nil || !strings.Contains(err.Error(), `bucket "no-such-bucket" does not exist`) {
		t.Fatalf("err = %v", err)
	}
}

// A rollback target whose assets were cleaned up is refused, naming what is missing; one with all of them passes.
func TestCheckAssets_ARolledBackReleaseNeedsEveryAssetItRecorded(t *testing.T) {
	b := newReleaseBucket(t, testkit.StartMoto(t), "assets-check")
	r := static.ReleaseManifest{Tag: "r1", TaskDefinition: "web:3", Keys: []string{"assets/app.11111111.js", "assets/app.22222222.css"}}
	for _, k := range r.Keys {
		b.putObject(t, k, "x")
	}
	if err := static.CheckAssets(context.Background(), b.s3, b.name, r); err != nil {
		t.Fatalf("all assets present: %v", err)
	}
	if _, err := b.s3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(b.name), Key: aws.String(r.Keys[1])}); err != nil {
		t.Fatal(awsenv.Explain(err))
	}
	err := static.CheckAssets(context.Background(), b.s3, b.name, r)
	if err == nil || !strings.Contains(err.Error(), "release r1 (web:3) lost 1 of its 2 assets to cleanup (first: assets/app.22222222.css)") {
		t.Fatalf("want a one-line refusal naming the missing asset, got %v", err)
	}
}
