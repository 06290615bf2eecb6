package static

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/ecs"
)

// ReleasePrefix is the key prefix, at the bucket root, under which every release records the asset keys it needs:
// one object per release, ReleasePrefix + <tag> + ".json", e.g. ".releases/3f2c9a1.json", holding
//
//	{"version": 1, "tag": "3f2c9a1", "imageDigest": "sha256:…", "taskDefinition": "web:42",
//	 "created": "2025-05-01T10:00:00Z", "keys": ["assets/app.8f3a2b1c.js", "assets/style.5d41402a.css"]}
//
// taskDefinition is omitted until the release knows it. keys are full object keys, sorted.
//
// Why: HTML comes from the app on ECS, so the HTML of every live, draining or rollback-candidate revision refers
// to hashed assets in the bucket. Deleting "whatever the newest release lacks" breaks a rollback; deleting only
// what no recent release recorded does not (see PlanCleanup). The prefix sits outside the asset path CloudFront
// routes to the bucket, so the manifests are not served.
const ReleasePrefix = ".releases/"

// releaseManifestVersion is the manifest format; a manifest of another version is refused rather than guessed at.
const releaseManifestVersion = 1

// maxReleaseManifest bounds what is read of one manifest: about 40 bytes per key.
const maxReleaseManifest = 16 << 20

// ReleaseManifest is what one release needs from the bucket.
type ReleaseManifest struct {
	// Tag names the release (normally the git commit) and its manifest object; it has the grammar of an OCI tag.
	Tag string
	// ImageDigest is the digest of the release's image, "sha256:…".
	ImageDigest string
	// TaskDefinition is the ECS task definition running the image ("web:42" or its ARN); empty until known.
	TaskDefinition string
	// Created is when the release was first recorded (zero: now when recorded).
	Created time.Time
	// Keys are the full object keys of the assets the release's HTML can refer to.
	Keys []string
}

// Key is the manifest's object key.
func (m ReleaseManifest) Key() string { return ReleasePrefix + m.Tag + ".json" }

type releaseManifestJSON struct {
	Version        int       `json:"version"`
	Tag            string    `json:"tag"`
	ImageDigest    string    `json:"imageDigest"`
	TaskDefinition string    `json:"taskDefinition,omitempty"`
	Created        time.Time `json:"created"`
	Keys           []string  `json:"keys"`
}

var (
	tagPattern    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestPattern = regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`)
)

// check validates m and returns it normalized: Created in UTC, Keys sorted without duplicates.
func (m ReleaseManifest) check() (ReleaseManifest, error) {
	switch {
	case !tagPattern.MatchString(m.Tag):
		return m, fmt.Errorf("release tag %q is not a valid image tag (letters, digits, _ . -; at most 128)", m.Tag)
	case !digestPattern.MatchString(m.ImageDigest):
		return m, fmt.Errorf("release %s: image digest %q is not a digest like sha256:<hex>", m.Tag, m.ImageDigest)
	case m.Created.IsZero():
		return m, fmt.Errorf("release %s: no creation time", m.Tag)
	}
	for _, k := range m.Keys {
		if k == "" || strings.HasPrefix(k, "/") || strings.HasPrefix(k, ReleasePrefix) {
			return m, fmt.Errorf("release %s: %q is not an asset object key", m.Tag, k)
		}
	}
	m.Created = m.Created.UTC()
	m.Keys = slices.Compact(slices.Sorted(slices.Values(m.Keys)))
	return m, nil
}

func (m ReleaseManifest) marshal() ([]byte, error) {
	keys := m.Keys
	if keys == nil {
		keys = []string{}
	}
	return json.Marshal(releaseManifestJSON{Version: releaseManifestVersion, Tag: m.Tag, ImageDigest: m.ImageDigest,
		TaskDefinition: m.TaskDefinition, Created: m.Created, Keys: keys})
}

func parseReleaseManifest(key string, raw []byte) (ReleaseManifest, error) {
	var j releaseManifestJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return ReleaseManifest{}, fmt.Errorf("release manifest %s is not valid JSON: %v", key, err)
	}
	if j.Version != releaseManifestVersion {
		return ReleaseManifest{}, fmt.Errorf("release manifest %s has version %d, this pipeline reads version %d",
			key, j.Version, releaseManifestVersion)
	}
	m, err := ReleaseManifest{Tag: j.Tag, ImageDigest: j.ImageDigest, TaskDefinition: j.TaskDefinition,
		Created: j.Created, Keys: j.Keys}.check()
	if err != nil {
		return ReleaseManifest{}, fmt.Errorf("release manifest %s: %v", key, err)
	}
	if m.Key() != key {
		return ReleaseManifest{}, fmt.Errorf("release manifest %s names tag %q, not the one its key does", key, m.Tag)
	}
	return m, nil
}

// RecordRelease writes the release's manifest (see ReleasePrefix). Record a release as soon as its asset keys
// are known and before uploading them: a cleanup running meanwhile then sees them as needed, and a release whose
// upload failed only keeps a few keys alive a little longer.
//
// Recording the same tag and digest again is idempotent: the first Created stays (re-running a pipeline does not
// make an old build newer), the keys are the union of both (the same image has the same assets, and a union never
// drops a key a running revision may need), and a non-empty TaskDefinition is filled in — that is how the task
// definition is set once the rollout has registered it. Nothing is written when nothing changed. A tag recorded
// with another digest (a rebuilt image) is replaced whole.
//
// Two pipelines recording the same tag at the same moment can lose one write: releases of one environment are
// expected to run one at a time.
func RecordRelease(ctx context.Context, c S3API, bucket string, m ReleaseManifest) error {
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	m, err := m.check()
	if err != nil {
		return fmt.Errorf("static release record: %w", err)
	}
	key := m.Key()
	fail := func(doing string, err error) error {
		return fmt.Errorf("static release record: %s s3://%s/%s: %s", doing, bucket, key, explainBucket(bucket, err))
	}
	oldRaw, found, err := getObject(ctx, c, bucket, key, maxReleaseManifest)
	if err != nil {
		return fail("read", err)
	}
	if found {
		old, err := parseReleaseManifest(key, oldRaw)
		if err != nil {
			return fmt.Errorf("static release record: %w: fix or delete it, then record again", err)
		}
		if old.ImageDigest == m.ImageDigest {
			if m.TaskDefinition == "" {
				m.TaskDefinition = old.TaskDefinition
			}
			m.Created = old.Created
			m.Keys = slices.Compact(slices.Sorted(slices.Values(append(m.Keys, old.Keys...))))
		}
	}
	raw, err := m.marshal()
	if err != nil {
		return fmt.Errorf("static release record %s: %w", m.Tag, err)
	}
	if found && bytes.Equal(raw, oldRaw) {
		return nil
	}
	sum := md5.Sum(raw)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(raw),
		ContentType: aws.String("application/json"), CacheControl: aws.String(NoCache), ContentMD5: b64(sum),
	}, md5Only)
	if err != nil {
		return fail("write", err)
	}
	return nil
}

// ListReleases reads every release manifest in the bucket, newest first (ties: by tag, descending). An unreadable
// or invalid manifest is an error naming its key: a cleanup that skipped it would delete assets that release
// needs. A manifest deleted between the listing and the read (by a concurrent cleanup) is skipped.
func ListReleases(ctx context.Context, c S3API, bucket string) ([]ReleaseManifest, error) {
	fail := func(doing, key string, err error) error {
		return fmt.Errorf("static release list: %s s3://%s/%s: %s", doing, bucket, key, explainBucket(bucket, err))
	}
	listed, err := listKeys(ctx, c, bucket, ReleasePrefix)
	if err != nil {
		return nil, fail("list", ReleasePrefix, err)
	}
	var keys []string
	for _, k := range listed {
		if !strings.HasSuffix(k, "/") { // a console "folder" marker is no manifest
			keys = append(keys, k)
		}
	}
	var (
		mu       sync.Mutex
		releases []ReleaseManifest
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, key := range keys {
		g.Go(func() error {
			raw, found, err := getObject(gctx, c, bucket, key, maxReleaseManifest)
			if err != nil {
				return fail("read", key, err)
			}
			if !found {
				return nil
			}
			m, err := parseReleaseManifest(key, raw)
			if err != nil {
				return fmt.Errorf("static release list: %w: fix or delete it", err)
			}
			mu.Lock()
			releases = append(releases, m)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sortNewestFirst(releases)
	return releases, nil
}

func sortNewestFirst(releases []ReleaseManifest) {
	sort.Slice(releases, func(i, j int) bool {
		if !releases[i].Created.Equal(releases[j].Created) {
			return releases[i].Created.After(releases[j].Created)
		}
		return releases[i].Tag > releases[j].Tag
	})
}

// FindRelease finds the newest release that ref names: its task definition (ARN or "family:revision", either
// form matching the other), its image digest (bare, or an image reference ending in "@<digest>") or its tag. A
// deploy stage maps what ECS runs back to the release, e.g. for Retention.Protect or a rollback's summary.
func FindRelease(releases []ReleaseManifest, ref string) (ReleaseManifest, bool) {
	if ref == "" {
		return ReleaseManifest{}, false
	}
	var best ReleaseManifest
	found := false
	for _, r := range releases {
		if !names(r, ref) {
			continue
		}
		if !found || r.Created.After(best.Created) || (r.Created.Equal(best.Created) && r.Tag > best.Tag) {
			best, found = r, true
		}
	}
	return best, found
}

func names(r ReleaseManifest, ref string) bool {
	switch {
	case r.Tag == ref, r.ImageDigest == ref, strings.HasSuffix(ref, "@"+r.ImageDigest):
		return true
	case r.TaskDefinition != "" && ecs.Label(r.TaskDefinition) == ecs.Label(ref):
		return true
	}
	return false
}

// CheckAssets makes sure every asset the release needs is still in the bucket: a release older than the retention
// kept may have lost them, and rolling back to it would serve pages without their scripts and styles.
func CheckAssets(ctx context.Context, c S3API, bucket string, r ReleaseManifest) error {
	var missing []string
	for _, k := range r.Keys {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if cd := code(err); cd == "NotFound" || cd == "NoSuchKey" {
			missing = append(missing, k)
			continue
		}
		if err != nil {
			return fmt.Errorf("checking the assets of release %s in s3://%s: %s", r.Tag, bucket, awsenv.Explain(err))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("release %s (%s) lost %d of its %d assets to cleanup (first: %s): it is older than the releases kept; deploy its commit again instead",
			r.Tag, r.TaskDefinition, len(missing), len(r.Keys), missing[0])
	}
	return nil
}

// getObject reads a whole object of at most max bytes; found is false when there is none.
func getObject(ctx context.Context, c S3API, bucket, key string, max int64) (raw []byte, found bool, err error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, quietChecksum)
	if cd := code(err); cd == "NoSuchKey" || cd == "NotFound" {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer func() { _ = out.Body.Close() }() // fully read or given up on; a close error changes nothing
	raw, err = io.ReadAll(io.LimitReader(out.Body, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(raw)) > max {
		return nil, false, fmt.Errorf("larger than %d bytes", max)
	}
	return raw, true, nil
}

// explainBucket is one line for a failed bucket call; a missing bucket says so plainly.
func explainBucket(bucket string, err error) string {
	if code(err) == "NoSuchBucket" {
		return fmt.Sprintf("bucket %q does not exist (terraform apply, or fix the bucket name)", bucket)
	}
	return awsenv.Explain(err)
}
