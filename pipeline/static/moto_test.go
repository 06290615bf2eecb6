package static_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/static"
)

// site is a bucket behind a CloudFront distribution, in a moto of its own.
type site struct {
	moto         *testkit.Moto
	s3           *s3.Client
	cf           *cloudfront.Client
	bucket, dist string
}

func newSite(t testing.TB) *site {
	t.Helper()
	m := testkit.StartMoto(t)
	cfg := m.Config(t)
	s := &site{moto: m, s3: awsenv.S3(cfg), cf: cloudfront.NewFromConfig(cfg), bucket: "pixels-static"}
	ctx := context.Background()
	if _, err := s.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(s.bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(testkit.Region)}}); err != nil {
		t.Fatal(err)
	}
	out, err := s.cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String("static-test"), Comment: aws.String("static site"), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{
			Id: aws.String("s3"), DomainName: aws.String(s.bucket + ".s3." + testkit.Region + ".amazonaws.com"),
			S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("s3"),
			ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
			//nolint:staticcheck // SA1019: with no CachePolicyId, CloudFront (and moto) want the legacy MinTTL/ForwardedValues
			MinTTL: aws.Int64(0), ForwardedValues: &cftypes.ForwardedValues{QueryString: aws.Bool(false),
				Cookies: &cftypes.CookiePreference{Forward: cftypes.ItemSelectionNone}}},
	}})
	if err != nil {
		t.Fatal(awsenv.Explain(err))
	}
	s.dist = aws.ToString(out.Distribution.Id)
	return s
}

func (s *site) options(dir string) static.PublishOptions {
	return static.PublishOptions{Bucket: s.bucket, Dir: dir, DistributionID: s.dist,
		InvalidationTimeout: 10 * time.Second, PollInterval: 50 * time.Millisecond}
}

// keys lists the bucket, manifest excluded.
func (s *site) keys(t testing.TB) []string {
	t.Helper()
	var keys []string
	pages := s3.NewListObjectsV2Paginator(s.s3, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			if !strings.HasSuffix(aws.ToString(o.Key), static.ManifestName) {
				keys = append(keys, aws.ToString(o.Key))
			}
		}
	}
	return keys
}

func (s *site) head(t testing.TB, key string) *s3.HeadObjectOutput {
	t.Helper()
	out, err := s.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("HeadObject %s: %s", key, awsenv.Explain(err))
	}
	return out
}

func (s *site) get(t testing.TB, key string) string {
	t.Helper()
	out, err := s.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)},
		func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	if err != nil {
		t.Fatalf("GetObject %s: %s", key, awsenv.Explain(err))
	}
	defer func() { _ = out.Body.Close() }() // read-only
	b, _ := io.ReadAll(out.Body)
	return string(b)
}

func (s *site) put(t testing.TB, key, body, cacheControl string) {
	t.Helper()
	if _, err := s.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(s.bucket),
		Key: aws.String(key), Body: strings.NewReader(body), CacheControl: aws.String(cacheControl)}); err != nil {
		t.Fatal(err)
	}
}

// recorder is an S3 client that records the writes in the order S3 received them.
type recorder struct {
	static.S3API
	mu  sync.Mutex
	ops []string // "put key", "delete key"
}

func (r *recorder) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	out, err := r.S3API.PutObject(ctx, in, o...)
	r.mu.Lock()
	r.ops = append(r.ops, "put "+aws.ToString(in.Key))
	r.mu.Unlock()
	return out, err
}

func (r *recorder) DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, o ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	r.mu.Lock()
	for _, id := range in.Delete.Objects {
		r.ops = append(r.ops, "delete "+aws.ToString(id.Key))
	}
	r.mu.Unlock()
	return r.S3API.DeleteObjects(ctx, in, o...)
}

func (r *recorder) index(op string) int { return slices.Index(r.ops, op) }
