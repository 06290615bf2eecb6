package static

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// PublishResult is what a publish did, for the release summary.
type PublishResult struct {
	// Plan is what was decided (nil when preparing failed).
	Plan *Plan
	// UploadedAssets and UploadedHTML count finished uploads; Unchanged files were not uploaded.
	UploadedAssets, UploadedHTML, Unchanged, Deleted int
	BytesUploaded                                    int64
	// InvalidationID is the CloudFront invalidation created, "" when none was needed or no distribution given.
	InvalidationID    string
	InvalidationPaths []string
	// Requests counts the AWS API calls made, by operation (SDK retries of one call are not counted again).
	Requests map[string]int
	Timings  Timings
	// Warnings did not fail the publish (e.g. the manifest could not be written).
	Warnings []string
}

// Timings are wall times of the steps; Total includes waiting for the invalidation.
type Timings struct {
	Prepare, Assets, HTML, Delete, Invalidate, Total time.Duration
}

// RequestCount is the number of AWS API calls made.
func (r PublishResult) RequestCount() int {
	n := 0
	for _, c := range r.Requests {
		n += c
	}
	return n
}

// Uploaded is the number of files uploaded.
func (r PublishResult) Uploaded() int { return r.UploadedAssets + r.UploadedHTML }

// String is the one-line summary.
func (r PublishResult) String() string {
	inv := "no invalidation"
	if r.InvalidationID != "" {
		paths := strings.Join(r.InvalidationPaths, " ")
		if len(r.InvalidationPaths) > 3 {
			paths = fmt.Sprintf("%d paths", len(r.InvalidationPaths))
		}
		inv = fmt.Sprintf("invalidation %s (%s)", r.InvalidationID, paths)
	}
	return fmt.Sprintf("uploaded %d assets + %d HTML (%s), %d unchanged, deleted %d, %s; %d requests (%s) in %s",
		r.UploadedAssets, r.UploadedHTML, size(r.BytesUploaded), r.Unchanged, r.Deleted, inv, r.RequestCount(),
		requestsText(r.Requests), r.Timings.Total.Round(time.Millisecond))
}

func requestsText(m map[string]int) string {
	ops := make([]string, 0, len(m))
	for op, n := range m {
		ops = append(ops, fmt.Sprintf("%s %d", op, n))
	}
	sort.Strings(ops)
	return strings.Join(ops, ", ")
}

// requestCounter counts API calls by operation, from parallel uploads.
type requestCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *requestCounter) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[op]++
}

func (c *requestCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.n))
	for k, v := range c.n {
		m[k] = v
	}
	return m
}
