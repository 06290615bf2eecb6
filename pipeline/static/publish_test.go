package static_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"

	"github.com/pixelsandpetals/delivery/pipeline/static"
)

var sample = map[string]string{
	"index.html":                "<h1>v2</h1>",
	"docs/index.html":           "<h1>docs</h1>",
	"assets/app.3e226f5c.css":   "body{color:red}",
	"assets/chunk-ABCD1234.js":  "export const a=1",
	"assets/index-BXjR4k2a.mjs": "export default 1",
	"favicon.ico":               "ico",
	"robots.txt":                "User-agent: *",
	"img/logo.svg":              "<svg/>",
	"data.json":                 "{}",
}

func TestPublish_SampleSiteThenNoChangeThenOneChange(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	s.put(t, "index.html", "<h1>v1</h1>", "no-cache") // the previous release
	dir := t.TempDir()
	write(t, dir, sample)

	var progress bytes.Buffer
	o := s.options(dir)
	o.Progress = &progress
	res, err := static.Publish(ctx, s.s3, s.cf, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.UploadedAssets != 7 || res.UploadedHTML != 2 || res.Unchanged != 0 || res.Deleted != 0 {
		t.Fatalf("first publish: %s", res)
	}
	for key, want := range map[string][2]string{
		"index.html":                {"text/html; charset=utf-8", static.NoCache},
		"assets/app.3e226f5c.css":   {"text/css; charset=utf-8", static.Immutable},
		"assets/chunk-ABCD1234.js":  {"text/javascript; charset=utf-8", static.Immutable},
		"assets/index-BXjR4k2a.mjs": {"text/javascript; charset=utf-8", static.Immutable},
		"favicon.ico":               {"image/x-icon", static.ShortCache},
		"img/logo.svg":              {"image/svg+xml", static.ShortCache},
		"data.json":                 {"application/json", static.ShortCache},
	} {
		h := s.head(t, key)
		if got := [2]string{aws.ToString(h.ContentType), aws.ToString(h.CacheControl)}; got != want {
			t.Errorf("%s: headers %q, want %q", key, got, want)
		}
	}
	// Only index.html existed before: only it (and its directory) went stale.
	if res.InvalidationID == "" || !reflect.DeepEqual(res.InvalidationPaths, []string{"/", "/index.html"}) {
		t.Fatalf("invalidation %q %v", res.InvalidationID, res.InvalidationPaths)
	}
	inv, err := s.cf.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{DistributionId: aws.String(s.dist), Id: aws.String(res.InvalidationID)})
	if err != nil || !strings.EqualFold(aws.ToString(inv.Invalidation.Status), "completed") {
		t.Fatalf("invalidation in CloudFront: %v", err)
	}
	if !strings.Contains(progress.String(), "invalidation "+res.InvalidationID+" completed") {
		t.Fatalf("progress did not report the wait:\n%s", progress.String())
	}

	again, err := static.Publish(ctx, s.s3, s.cf, s.options(dir))
	if err != nil {
		t.Fatal(err)
	}
	if again.Uploaded() != 0 || again.Unchanged != 9 || again.InvalidationID != "" || again.Requests["HeadObject"] != 0 {
		t.Fatalf("unchanged publish must upload nothing and ask nothing per file: %s", again)
	}
	if n := again.RequestCount(); n != 3 { // list, manifest, distribution check
		t.Fatalf("unchanged publish made %d requests: %v", n, again.Requests)
	}

	write(t, dir, map[string]string{"index.html": "<h1>v3</h1>", "assets/app.9f8e7d6c.css": "body{color:blue}"})
	removeFile(t, dir, "robots.txt")
	rec := &recorder{S3API: s.s3}
	third, err := static.Publish(ctx, rec, s.cf, s.options(dir))
	if err != nil {
		t.Fatal(err)
	}
	if third.UploadedAssets != 1 || third.UploadedHTML != 1 || third.Deleted != 1 || third.Unchanged != 7 {
		t.Fatalf("one HTML changed, one asset added, one file removed: %s", third)
	}
	asset, html, del := rec.index("put assets/app.9f8e7d6c.css"), rec.index("put index.html"), rec.index("delete robots.txt")
	if asset < 0 || html < 0 || del < 0 || asset >= html || html >= del {
		t.Fatalf("want asset, then HTML, then delete: %v", rec.ops)
	}
	if !reflect.DeepEqual(third.InvalidationPaths, []string{"/", "/index.html", "/robots.txt"}) {
		t.Fatalf("invalidation paths %v", third.InvalidationPaths)
	}
	if got := fmt.Sprint(s.keys(t)); strings.Contains(got, "robots.txt") || !strings.Contains(got, "app.9f8e7d6c.css") {
		t.Fatalf("bucket after: %s", got)
	}
}

func TestPublish_NewHeaderRuleReuploadsSameBytes(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	write(t, dir, sample)
	if _, err := static.Publish(context.Background(), s.s3, s.cf, s.options(dir)); err != nil {
		t.Fatal(err)
	}
	o := s.options(dir)
	o.Headers = static.DefaultHeaders()
	o.Headers.Default = "public, max-age=3600"
	res, err := static.Publish(context.Background(), s.s3, s.cf, o)
	if err != nil {
		t.Fatal(err)
	}
	// favicon.ico, robots.txt, img/logo.svg, data.json carry the default; HTML and hashed assets do not.
	if res.UploadedAssets != 4 || res.UploadedHTML != 0 || res.Requests["HeadObject"] != 0 {
		t.Fatalf("want the 4 default-cached files re-uploaded, known from the manifest: %s", res)
	}
	if cc := aws.ToString(s.head(t, "favicon.ico").CacheControl); cc != "public, max-age=3600" {
		t.Fatalf("favicon.ico Cache-Control %q", cc)
	}
	if len(res.InvalidationPaths) != 4 {
		t.Fatalf("cached copies carry the old header: want 4 paths, got %v", res.InvalidationPaths)
	}
}

func TestPublish_VerifyHeadersSeesAnOutOfBandChange(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	write(t, dir, sample)
	if _, err := static.Publish(context.Background(), s.s3, s.cf, s.options(dir)); err != nil {
		t.Fatal(err)
	}
	// Someone rewrites robots.txt with the same bytes and another header: same ETag, so the manifest cannot tell.
	s.put(t, "robots.txt", sample["robots.txt"], "max-age=99")
	trusting, err := static.Publish(context.Background(), s.s3, s.cf, s.options(dir))
	if err != nil || trusting.Uploaded() != 0 {
		t.Fatalf("trusting the manifest: %v %s", err, trusting)
	}
	o := s.options(dir)
	o.VerifyHeaders = true
	verified, err := static.Publish(context.Background(), s.s3, s.cf, o)
	if err != nil {
		t.Fatal(err)
	}
	if verified.UploadedAssets != 1 || verified.Requests["HeadObject"] != 9 {
		t.Fatalf("VerifyHeaders: want robots.txt re-uploaded after 9 HeadObjects: %s", verified)
	}
	if cc := aws.ToString(s.head(t, "robots.txt").CacheControl); cc != static.ShortCache {
		t.Fatalf("robots.txt Cache-Control %q", cc)
	}
}

func TestPublish_ObjectsFromAnotherToolAreCheckedWithHeadObject(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	write(t, dir, sample)
	// An earlier sync by another tool: same bytes, one with our headers, one without; no manifest.
	s.put(t, "favicon.ico", sample["favicon.ico"], static.ShortCache)
	s.put(t, "data.json", sample["data.json"], "max-age=1")
	o := s.options(dir)
	o.DryRun = true
	var out bytes.Buffer
	o.Progress = &out
	dry, err := static.Publish(context.Background(), s.s3, s.cf, o)
	if err != nil {
		t.Fatal(err)
	}
	if dry.Uploaded() != 0 || len(s.keys(t)) != 2 || !strings.Contains(out.String(), "data.json") {
		t.Fatalf("a dry run changes nothing and prints the plan:\n%s", out.String())
	}
	res, err := static.Publish(context.Background(), s.s3, s.cf, s.options(dir))
	if err != nil {
		t.Fatal(err)
	}
	// favicon.ico: headers are the content type S3 defaulted to, not ours, so it is uploaded too.
	if res.Requests["HeadObject"] != 2 || res.Unchanged != 0 || res.Uploaded() != 9 {
		t.Fatalf("want 2 HeadObjects and every file uploaded: %s", res)
	}
}

func TestPublish_MultipartFileComparesByPartsETag(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	write(t, dir, map[string]string{"index.html": "<h1>", "app.wasm": strings.Repeat("w", static.MinPartSize+1024)})
	o := s.options(dir)
	o.PartSize = static.MinPartSize
	first, err := static.Publish(context.Background(), s.s3, s.cf, o)
	if err != nil {
		t.Fatal(err)
	}
	if first.Requests["UploadPart"] != 2 || first.Requests["CompleteMultipartUpload"] != 1 {
		t.Fatalf("want a two-part upload: %v", first.Requests)
	}
	if etag := aws.ToString(s.head(t, "app.wasm").ETag); !strings.HasSuffix(etag, `-2"`) {
		t.Fatalf("ETag %s", etag)
	}
	second, err := static.Publish(context.Background(), s.s3, s.cf, o)
	if err != nil || second.Uploaded() != 0 {
		t.Fatalf("multipart object should compare equal: %v %s", err, second)
	}
}
