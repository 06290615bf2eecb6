package static_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/static"
)

func TestPublish_BadInputIsOneLineAndChangesNothing(t *testing.T) {
	s := newSite(t)
	s.put(t, "index.html", "<h1>v1</h1>", static.NoCache)
	for _, k := range []string{"old/a.html", "old/b.html", "old/c.html"} {
		s.put(t, k, "old", static.NoCache)
	}
	before := s.keys(t)
	dir, empty := t.TempDir(), t.TempDir()
	write(t, dir, sample)
	unreachable, err := awsenv.Load(context.Background(), awsenv.Options{Region: testkit.Region,
		AccessKeyID: "a", SecretAccessKey: "b", MaxAttempts: 1,
		Endpoint: fmt.Sprintf("http://127.0.0.1:%d", testkit.FreePort(t))})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		edit  func(*static.PublishOptions)
		s3    static.S3API
		cf    static.CloudFrontAPI
		wants string
	}{
		{"bucket missing", func(o *static.PublishOptions) { o.Bucket = "no-such-bucket" }, nil, nil,
			`static bucket "no-such-bucket" does not exist`},
		{"directory missing", func(o *static.PublishOptions) { o.Dir += "/dist" }, nil, nil, "does not exist: build the site first"},
		{"directory empty", func(o *static.PublishOptions) { o.Dir = empty }, nil, nil, "has no files"},
		{"unknown distribution", func(o *static.PublishOptions) { o.DistributionID = "EDOESNOTEXIST" }, nil, nil,
			`CloudFront distribution "EDOESNOTEXIST" does not exist`},
		{"unreachable endpoint", func(*static.PublishOptions) {}, awsenv.S3(unreachable),
			cloudfront.NewFromConfig(unreachable), "endpoint unreachable"},
		{"too many deletes", func(o *static.PublishOptions) { o.MaxDelete = 2 }, nil, nil,
			"would delete 3 objects under the bucket root, more than the limit of 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := s.options(dir)
			c.edit(&o)
			s3c, cf := c.s3, c.cf
			if s3c == nil {
				s3c, cf = s.s3, s.cf
			}
			_, err := static.Publish(context.Background(), s3c, cf, o)
			if err == nil || !strings.Contains(err.Error(), c.wants) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("want one line containing %q, got: %v", c.wants, err)
			}
			t.Log(err)
			if after := s.keys(t); !reflect.DeepEqual(after, before) || s.get(t, "index.html") != "<h1>v1</h1>" {
				t.Fatalf("bucket changed: %v", after)
			}
		})
	}
}

// failingAfter lets n PutObjects through, then fails every further one as a dropped connection would: a network
// that goes away half way. Calls let through are not cancelled when the publish gives up, so exactly n objects
// arrive and the test can count them.
type failingAfter struct {
	static.S3API
	n    int64
	puts atomic.Int64
}

func (c *failingAfter) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if c.puts.Add(1) > c.n {
		return nil, errors.New("read tcp 127.0.0.1: connection reset by peer")
	}
	return c.S3API.PutObject(context.WithoutCancel(ctx), in, o...)
}

func TestPublish_InterruptedUploadConvergesOnReRun(t *testing.T) {
	s := newSite(t)
	s.put(t, "index.html", "<h1>v1</h1>", static.NoCache)
	s.put(t, "stale.js", "old", static.ShortCache)
	dir := t.TempDir()
	files := map[string]string{"index.html": "<h1>v2</h1>"}
	for i := range 60 {
		files[fmt.Sprintf("assets/part%02d.js", i)] = fmt.Sprintf("export const n=%d", i)
	}
	write(t, dir, files)

	o := s.options(dir)
	o.Parallel = 4
	_, err := static.Publish(context.Background(), &failingAfter{S3API: s.s3, n: 20}, s.cf, o)
	if err == nil || !strings.Contains(err.Error(), "the previous HTML is still live") {
		t.Fatalf("want the interruption reported with what is live, got %v", err)
	}
	if got := s.get(t, "index.html"); got != "<h1>v1</h1>" {
		t.Fatalf("HTML switched although assets were missing: %q", got)
	}
	partial := len(s.keys(t)) - 2
	if partial != 20 {
		t.Fatalf("want an upload interrupted after 20 files, %d of 60 assets are there", partial)
	}

	res, err := static.Publish(context.Background(), s.s3, s.cf, o)
	if err != nil {
		t.Fatal(err)
	}
	// The interrupted run wrote no manifest: what it uploaded is checked with HeadObject, not uploaded again.
	if res.Requests["HeadObject"] != partial || res.Unchanged != partial || res.UploadedAssets != 60-partial ||
		res.UploadedHTML != 1 || res.Deleted != 1 {
		t.Fatalf("re-run after %d uploads: %s", partial, res)
	}
	for name, content := range files {
		if got := s.get(t, name); got != content {
			t.Fatalf("%s = %q, want %q", name, got, content)
		}
	}
	if final, err := static.Publish(context.Background(), s.s3, s.cf, o); err != nil || final.Uploaded() != 0 ||
		final.Requests["HeadObject"] != 0 {
		t.Fatalf("converged state should need nothing: %v %s", err, final)
	}
}

func TestSplitPublish_FailedSmokeTestLeavesOldHTMLLive(t *testing.T) {
	s := newSite(t)
	s.put(t, "index.html", `<script src="app.11111111.js">`, static.NoCache)
	s.put(t, "app.11111111.js", "old app", static.Immutable)
	dir := t.TempDir()
	write(t, dir, map[string]string{"index.html": `<script src="app.22222222.js">`, "app.22222222.js": "new app"})
	ctx := context.Background()

	p, err := static.Prepare(ctx, s.s3, s.cf, s.options(dir))
	if err != nil {
		t.Fatal(err)
	}
	for name, step := range map[string]func(context.Context) error{"SwitchHTML": p.SwitchHTML, "DeleteStale": p.DeleteStale, "Invalidate": p.Invalidate} {
		if err := step(ctx); err == nil || !strings.Contains(err.Error(), "needs") {
			t.Fatalf("%s before its predecessor: want a refusal, got %v", name, err)
		}
	}
	if err := p.UploadAssets(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.UploadAssets(ctx); err == nil {
		t.Fatal("UploadAssets ran twice")
	}
	// The release's smoke test against the new assets fails here: the release stops, SwitchHTML never runs.
	if got := s.get(t, "index.html"); got != `<script src="app.11111111.js">` || s.get(t, "app.11111111.js") != "old app" {
		t.Fatalf("old release not intact: index.html %q", got)
	}
	if s.get(t, "app.22222222.js") != "new app" {
		t.Fatal("new asset not uploaded")
	}
	if r := p.Result(); r.UploadedAssets != 1 || r.UploadedHTML != 0 || r.Deleted != 0 {
		t.Fatalf("after assets only: %s", r)
	}
}
