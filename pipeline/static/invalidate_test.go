package static_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/pixelsandpetals/delivery/pipeline/static"
)

// scriptedCloudFront is moto's CloudFront except for the invalidation's status, which follows a script (the last
// entry repeats). A stub, because moto completes every invalidation at once: the pending state that real
// CloudFront shows for minutes cannot be produced with it.
type scriptedCloudFront struct {
	static.CloudFrontAPI
	statuses []string
	mu       sync.Mutex
	polls    int
}

func (c *scriptedCloudFront) GetInvalidation(_ context.Context, in *cloudfront.GetInvalidationInput, _ ...func(*cloudfront.Options)) (*cloudfront.GetInvalidationOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	status := c.statuses[min(c.polls, len(c.statuses)-1)]
	c.polls++
	return &cloudfront.GetInvalidationOutput{Invalidation: &cftypes.Invalidation{Id: in.Id, Status: aws.String(status)}}, nil
}

// changedSite publishes v1 of a page and prepares v2, so the next publish has a path to invalidate.
func changedSite(t *testing.T) (*site, string) {
	s := newSite(t)
	s.put(t, "index.html", "<h1>v1</h1>", static.NoCache)
	dir := t.TempDir()
	write(t, dir, map[string]string{"index.html": "<h1>v2</h1>"})
	return s, dir
}

func TestInvalidate_PendingTimesOutWithClearError(t *testing.T) {
	s, dir := changedSite(t)
	cf := &scriptedCloudFront{CloudFrontAPI: s.cf, statuses: []string{"InProgress"}}
	o := s.options(dir)
	o.InvalidationTimeout, o.PollInterval = 300*time.Millisecond, 50*time.Millisecond
	start := time.Now()
	res, err := static.Publish(context.Background(), s.s3, cf, o)
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the wait was not bounded: %s", took)
	}
	if err == nil || res.InvalidationID == "" {
		t.Fatalf("want a timeout error, got %v (%s)", err, res)
	}
	for _, want := range []string{res.InvalidationID, `still "InProgress" after 300ms`, "already live"} {
		if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("error %q should be one line naming %q", err, want)
		}
	}
	if s.get(t, "index.html") != "<h1>v2</h1>" {
		t.Fatal("the error says the files are live: they must be")
	}
	if cf.polls < 2 || cf.polls > 10 {
		t.Fatalf("%d polls in 300ms at 50ms", cf.polls)
	}
}

func TestInvalidate_WaitsUntilCompletedInAnyCase(t *testing.T) {
	s, dir := changedSite(t)
	cf := &scriptedCloudFront{CloudFrontAPI: s.cf, statuses: []string{"InProgress", "InProgress", "Completed"}}
	o := s.options(dir)
	o.PollInterval = 10 * time.Millisecond
	res, err := static.Publish(context.Background(), s.s3, cf, o)
	if err != nil {
		t.Fatal(err)
	}
	if cf.polls != 3 || res.Requests["GetInvalidation"] != 3 {
		t.Fatalf("want 3 polls, got %d (%v)", cf.polls, res.Requests)
	}
}
