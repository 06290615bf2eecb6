package static

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Defaults of Retention.
const (
	DefaultKeep  = 3
	DefaultGrace = 24 * time.Hour
	// NoGrace as Retention.Grace keeps releases by count only. (Zero means DefaultGrace: forgetting to set the
	// grace must not delete what a release of an hour ago needs.)
	NoGrace time.Duration = -1
)

// deleteBatchSize is the most keys one DeleteObjects call takes.
const deleteBatchSize = 1000

// Retention says which releases' assets a cleanup keeps.
type Retention struct {
	// Keep retains the newest Keep releases whatever their age: the live one and the rollback candidates
	// (0: DefaultKeep; at least 1).
	Keep int
	// Grace retains every release younger than this too, so a burst of releases does not push out one that ECS is
	// still draining (0: DefaultGrace; NoGrace: none).
	Grace time.Duration
	// MaxDelete refuses a cleanup that would delete more asset objects: a wrong prefix or a lost manifest must not
	// empty the site (0: DefaultMaxDelete; negative: no limit).
	MaxDelete int
	// Protect retains the releases these name whatever their age (see FindRelease: task definitions, digests,
	// image references or tags), e.g. every task definition an ECS deployment of the service still runs. One
	// that names no recorded release fails the plan: its assets are unknown, so nothing can be deleted safely.
	Protect []string
}

func (r Retention) withDefaults() (Retention, error) {
	switch {
	case r.Keep < 0:
		return r, fmt.Errorf("keep %d releases: at least 1 must be kept (0 means %d)", r.Keep, DefaultKeep)
	case r.Keep == 0:
		r.Keep = DefaultKeep
	}
	if r.Grace == 0 {
		r.Grace = DefaultGrace
	}
	if r.MaxDelete == 0 {
		r.MaxDelete = DefaultMaxDelete
	}
	return r, nil
}

// CleanupPlan is what a cleanup deletes, in order: Deletes, then ManifestDeletes.
type CleanupPlan struct {
	// Prefix is the asset prefix ("assets/"); nothing outside it is deleted but the expired manifests.
	Prefix string
	// Retained are the tags of the releases whose assets are kept, newest first; Expired the others.
	Retained, Expired []string
	// Kept counts the objects under the prefix that stay; Unrecorded counts those of them that no manifest names
	// (they predate release manifests, or belong to a release being recorded right now).
	Kept, Unrecorded int
	// Deletes are the asset keys only expired releases name, sorted.
	Deletes []string
	// ManifestDeletes are the manifest keys of the expired releases. They go last: a cleanup interrupted before
	// them still knows, next time, what the remaining assets belonged to.
	ManifestDeletes []string
}

// String is the plan in one line.
func (p CleanupPlan) String() string {
	return fmt.Sprintf("cleanup of %s: %d releases retained (%s), %d expired; %d objects kept (%d no release recorded), "+
		"%d to delete, %d expired manifests to delete", where(p.Prefix), len(p.Retained), strings.Join(p.Retained, ", "),
		len(p.Expired), p.Kept, p.Unrecorded, len(p.Deletes), len(p.ManifestDeletes))
}

// TooManyCleanupDeletesError is the max-delete guard of a cleanup: nothing was deleted. It unwraps to a
// TooManyDeletesError, so one errors.As finds the guard of a publish and of a cleanup.
type TooManyCleanupDeletesError struct {
	Prefix     string
	Count, Max int
	// Expired are the tags whose assets would have gone.
	Expired []string
}

func (e *TooManyCleanupDeletesError) Error() string {
	return fmt.Sprintf("static cleanup would delete %d objects under %s, more than the limit of %d: check the asset "+
		"prefix and the recorded releases (%d expired), or raise MaxDelete; nothing was deleted",
		e.Count, where(e.Prefix), e.Max, len(e.Expired))
}

func (e *TooManyCleanupDeletesError) Unwrap() error {
	return &TooManyDeletesError{Prefix: e.Prefix, Count: e.Count, Max: e.Max}
}

// PlanCleanup decides, without calling AWS, which asset objects to delete. objects are the keys listed under
// assetPrefix ("assets/", or the CloudFront path pattern "/assets/*"); any other key in it is ignored.
//
// Retained are the newest r.Keep releases, every release younger than r.Grace at now, and those r.Protect names.
// An object under the prefix is deleted only when an expired release names it and no retained one does. An
// object no manifest names is never deleted: it predates release manifests (a legacy bucket, where a revision
// that ECS still runs may need it and nothing says so), or it was uploaded by a release not recorded yet. Such
// objects are counted in Unrecorded; delete them by hand once no revision from before the manifests can run. So
// a bucket with no releases recorded loses nothing. Manifests (ReleasePrefix) and the publish manifest
// (ManifestName) are never asset deletes. More deletes than r.MaxDelete fail with TooManyCleanupDeletesError.
func PlanCleanup(releases []ReleaseManifest, assetPrefix string, objects []string, r Retention, now time.Time) (CleanupPlan, error) {
	r, err := r.withDefaults()
	if err != nil {
		return CleanupPlan{}, fmt.Errorf("static cleanup: %w", err)
	}
	prefix, err := cleanupPrefix(assetPrefix)
	if err != nil {
		return CleanupPlan{}, fmt.Errorf("static cleanup: %w", err)
	}
	sorted := append([]ReleaseManifest(nil), releases...)
	sortNewestFirst(sorted)
	retained := make(map[string]bool, len(sorted))
	for i, rel := range sorted {
		if _, dup := retained[rel.Tag]; dup {
			return CleanupPlan{}, fmt.Errorf("static cleanup: release %s is listed twice", rel.Tag)
		}
		retained[rel.Tag] = i < r.Keep || (r.Grace > 0 && now.Sub(rel.Created) < r.Grace)
	}
	for _, ref := range r.Protect {
		rel, ok := FindRelease(sorted, ref)
		if !ok {
			return CleanupPlan{}, fmt.Errorf("static cleanup: %q is protected but names no recorded release, so "+
				"the assets it needs are unknown; nothing was deleted", ref)
		}
		retained[rel.Tag] = true
	}

	p := CleanupPlan{Prefix: prefix}
	needed, recorded := map[string]bool{}, map[string]bool{}
	for _, rel := range sorted {
		for _, k := range rel.Keys {
			recorded[k] = true
			if retained[rel.Tag] {
				needed[k] = true
			}
		}
		if retained[rel.Tag] {
			p.Retained = append(p.Retained, rel.Tag)
		} else {
			p.Expired = append(p.Expired, rel.Tag)
			p.ManifestDeletes = append(p.ManifestDeletes, rel.Key())
		}
	}
	seen := make(map[string]bool, len(objects))
	for _, k := range objects {
		if seen[k] || !strings.HasPrefix(k, prefix) || strings.HasPrefix(k, ReleasePrefix) || path.Base(k) == ManifestName {
			continue
		}
		seen[k] = true
		switch {
		case needed[k]:
			p.Kept++
		case !recorded[k]:
			p.Kept++
			p.Unrecorded++
		default:
			p.Deletes = append(p.Deletes, k)
		}
	}
	sort.Strings(p.Deletes)
	if r.MaxDelete > 0 && len(p.Deletes) > r.MaxDelete {
		return CleanupPlan{}, &TooManyCleanupDeletesError{Prefix: prefix, Count: len(p.Deletes), Max: r.MaxDelete,
			Expired: p.Expired}
	}
	return p, nil
}

// cleanupPrefix accepts "assets", "assets/" or the CloudFront path pattern "/assets/*" and returns "assets/". The
// bucket root is refused: everything in the bucket would be in scope, HTML and manifests included.
func cleanupPrefix(p string) (string, error) {
	prefix := normalizePrefix(strings.TrimSuffix(p, "*"))
	switch {
	case prefix == "":
		return "", fmt.Errorf("asset prefix %q is the bucket root: give the static path, e.g. assets/", p)
	case strings.ContainsAny(prefix, "*?"):
		return "", fmt.Errorf("asset prefix %q has a wildcard before its end: give a folder, e.g. /assets/*", p)
	case strings.HasPrefix(prefix, ReleasePrefix):
		return "", fmt.Errorf("asset prefix %q is where release manifests live", p)
	}
	return prefix, nil
}

// DeleteFailure is one object S3 refused to delete.
type DeleteFailure struct {
	Key, Code, Message string
}

// CleanupResult is what a cleanup did.
type CleanupResult struct {
	Plan CleanupPlan
	// Deleted counts deleted asset objects, ManifestsDeleted deleted expired manifests.
	Deleted, ManifestsDeleted int
	// Failures are the objects S3 reported it did not delete.
	Failures []DeleteFailure
}

// Cleanup deletes the assets that only expired releases need, then their manifests (see PlanCleanup): run it
// after a release is live, so the previous releases stay available for a rollback. It reads every manifest and
// lists the prefix first, and deletes nothing when either fails or the plan is refused. Objects S3 refuses to
// delete are reported one per line in progress and in the result; the expired manifests are then kept, so the
// next cleanup retries. now is the time release ages are measured at (zero: now). Cleanups and releases of one
// bucket are expected to run one at a time: a release recorded after the listing is not seen.
func Cleanup(ctx context.Context, c S3API, bucket, assetPrefix string, r Retention, now time.Time, progress io.Writer) (CleanupResult, error) {
	if progress == nil {
		progress = io.Discard
	}
	if now.IsZero() {
		now = time.Now()
	}
	if bucket == "" {
		return CleanupResult{}, errors.New("static cleanup: no bucket given")
	}
	prefix, err := cleanupPrefix(assetPrefix)
	if err != nil {
		return CleanupResult{}, fmt.Errorf("static cleanup: %w", err)
	}
	releases, err := ListReleases(ctx, c, bucket)
	if err != nil {
		return CleanupResult{}, unchanged(err)
	}
	objects, err := listKeys(ctx, c, bucket, prefix)
	if err != nil {
		return CleanupResult{}, unchanged(fmt.Errorf("static cleanup: list s3://%s/%s: %s", bucket, prefix,
			explainBucket(bucket, err)))
	}
	plan, err := PlanCleanup(releases, prefix, objects, r, now)
	if err != nil {
		return CleanupResult{}, err
	}
	res := CleanupResult{Plan: plan}
	_, _ = fmt.Fprintln(progress, plan.String()) // progress is best-effort

	deleted, failures, err := deleteKeys(ctx, c, bucket, plan.Deletes, progress)
	res.Deleted, res.Failures = deleted, failures
	if err != nil {
		return res, fmt.Errorf("static cleanup: delete from s3://%s after %d of %d objects: %s; re-run to finish",
			bucket, res.Deleted, len(plan.Deletes), explainBucket(bucket, err))
	}
	if len(failures) > 0 {
		f := failures[0]
		return res, fmt.Errorf("static cleanup: %d of %d objects not deleted from s3://%s, first %q: %s: %s; "+
			"the expired manifests were kept, re-run to retry", len(failures), len(plan.Deletes), bucket, f.Key, f.Code, f.Message)
	}

	res.ManifestsDeleted, failures, err = deleteKeys(ctx, c, bucket, plan.ManifestDeletes, progress)
	res.Failures = failures
	switch {
	case err != nil:
		return res, fmt.Errorf("static cleanup: the expired assets are gone; deleting their %d manifests from s3://%s: "+
			"%s; re-run to finish", len(plan.ManifestDeletes), bucket, explainBucket(bucket, err))
	case len(failures) > 0:
		f := failures[0]
		return res, fmt.Errorf("static cleanup: the expired assets are gone; %d of %d manifests not deleted from "+
			"s3://%s, first %q: %s: %s; re-run to finish", len(failures), len(plan.ManifestDeletes), bucket, f.Key,
			f.Code, f.Message)
	}
	_, _ = fmt.Fprintf(progress, "cleanup: %d objects and %d expired manifests deleted\n", res.Deleted, res.ManifestsDeleted)
	return res, nil
}

// listKeys lists every key under prefix, page by page.
func listKeys(ctx context.Context, c S3API, bucket, prefix string) ([]string, error) {
	var keys []string
	pages := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

// deleteKeys deletes in batches of at most 1,000 keys. A failed call stops it (err); objects S3 refused are
// failures, and the other batches still go.
func deleteKeys(ctx context.Context, c S3API, bucket string, keys []string, progress io.Writer) (int, []DeleteFailure, error) {
	deleted := 0
	var failures []DeleteFailure
	for len(keys) > 0 {
		batch := keys[:min(len(keys), deleteBatchSize)]
		keys = keys[len(batch):]
		ids := make([]types.ObjectIdentifier, len(batch))
		for i, k := range batch {
			ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket),
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return deleted, failures, err
		}
		failed := make(map[string]bool, len(out.Errors))
		for _, e := range out.Errors {
			f := DeleteFailure{Key: aws.ToString(e.Key), Code: aws.ToString(e.Code), Message: aws.ToString(e.Message)}
			failed[f.Key] = true
			failures = append(failures, f)
			_, _ = fmt.Fprintf(progress, "not deleted %s: %s: %s\n", f.Key, f.Code, f.Message)
		}
		for _, k := range batch {
			if !failed[k] {
				deleted++
				_, _ = fmt.Fprintf(progress, "deleted %s\n", k)
			}
		}
	}
	return deleted, failures, nil
}
