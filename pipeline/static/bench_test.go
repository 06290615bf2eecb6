package static_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/pixelsandpetals/delivery/pipeline/static"
)

// BenchmarkPublish measures, against moto, a 5,000-file site: the first publish (everything uploaded), then each
// iteration a release that changes 1% of the files the way a build does (25 assets get new hashed names, 25
// pages change), then an unchanged publish, trusting the manifest and with VerifyHeaders.
//
//	go test -run '^$' -bench Publish -benchtime 1x ./pipeline/static/
func BenchmarkPublish(b *testing.B) {
	s := newSite(b)
	dir := b.TempDir()
	asset := func(i, rev int) (string, string) {
		content := fmt.Sprintf("export const module%d = %d; // rev %d", i, i*7, rev)
		sum := md5.Sum([]byte(content))
		return fmt.Sprintf("assets/mod-%04d.%s.js", i, hex.EncodeToString(sum[:4])), content
	}
	files := map[string]string{}
	for i := range 4000 {
		name, content := asset(i, 0)
		files[name] = content
	}
	for i := range 500 {
		files[fmt.Sprintf("pages/%03d/index.html", i)] = fmt.Sprintf("<h1>page %d</h1>", i)
		files[fmt.Sprintf("img/photo-%03d.png", i)] = fmt.Sprintf("png %d", i)
	}
	write(b, dir, files)
	ctx := context.Background()
	publish := func(what string, verify bool) static.PublishResult {
		o := s.options(dir)
		o.VerifyHeaders = verify
		res, err := static.Publish(ctx, s.s3, s.cf, o)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%-28s %s", what+":", res)
		return res
	}
	full := publish("first publish (everything)", false)

	var changed static.PublishResult
	b.ResetTimer()
	for n := 1; n <= b.N; n++ {
		b.StopTimer()
		for i := range 25 { // a new build: 25 modules change, so their hashed names change; 25 pages change
			old, _ := asset(i, n-1)
			removeFile(b, dir, old)
			name, content := asset(i, n)
			write(b, dir, map[string]string{name: content,
				fmt.Sprintf("pages/%03d/index.html", i): fmt.Sprintf("<h1>page %d rev %d</h1>", i, n)})
		}
		b.StartTimer()
		changed = publish(fmt.Sprintf("release %d (1%% changed)", n), false)
	}
	b.StopTimer()
	if changed.UploadedAssets != 25 || changed.UploadedHTML != 25 || changed.Deleted != 25 {
		b.Fatalf("1%% release: %s", changed)
	}
	unchanged := publish("unchanged publish", false)
	// What the manifest saves: the same unchanged publish asking S3 for every object's headers.
	verified := publish("unchanged, VerifyHeaders", true)
	if unchanged.Uploaded()+verified.Uploaded() != 0 || unchanged.InvalidationID != "" {
		b.Fatalf("unchanged publish uploaded %d", unchanged.Uploaded()+verified.Uploaded())
	}
	b.ReportMetric(float64(full.RequestCount()), "full-requests")
	b.ReportMetric(full.Timings.Total.Seconds(), "full-s")
	b.ReportMetric(float64(changed.RequestCount()), "release-requests")
	b.ReportMetric(float64(changed.Uploaded()), "release-uploads")
	b.ReportMetric(float64(unchanged.RequestCount()), "unchanged-requests")
	b.ReportMetric(float64(unchanged.Uploaded()), "unchanged-uploads")
	b.ReportMetric(unchanged.Timings.Total.Seconds(), "unchanged-s")
	b.ReportMetric(float64(verified.RequestCount()), "verify-requests")
	b.ReportMetric(verified.Timings.Total.Seconds(), "verify-s")
}
