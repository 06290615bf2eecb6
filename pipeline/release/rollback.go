package release

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/static"
)

// RollbackTarget chooses the release a rollback returns to, from the releases recorded in the bucket (newest
// first) and the revision the service runs now. to names one (a task definition, tag or image digest); empty
// means the newest recorded release before the serving one.
//
// Only recorded releases qualify. The revision just below the serving one is often not a release at all: Terraform
// registers a revision with its placeholder image, or with a changed CPU setting on the previous image, and a
// rollback to it would serve a page nobody released, or none.
func RollbackTarget(releases []static.ReleaseManifest, serving, to string) (static.ReleaseManifest, error) {
	if to != "" {
		r, ok := static.FindRelease(releases, to)
		switch {
		case !ok:
			return r, fmt.Errorf("%s is not a release this pipeline recorded (%d recorded): its assets are unknown; roll back to one of: %s",
				to, len(releases), recordedList(releases))
		case r.TaskDefinition == "":
			return r, fmt.Errorf("release %s never reached ECS (no task definition recorded); roll back to one of: %s", r.Tag, recordedList(releases))
		}
		return r, nil
	}
	current, found := static.FindRelease(releases, serving)
	for _, r := range releases {
		if r.TaskDefinition == "" || sameRevision(r.TaskDefinition, serving) {
			continue
		}
		if found && !r.Created.Before(current.Created) {
			continue // newer than the serving release: a release that failed and was rolled back
		}
		return r, nil
	}
	return static.ReleaseManifest{}, fmt.Errorf("no recorded release before %s to roll back to (recorded: %s)", serving, recordedList(releases))
}

// CheckAssets makes sure every asset the release needs is still in the bucket: a release older than the retention
// kept may have lost them, and rolling back to it would serve pages without their scripts and styles.
func CheckAssets(ctx context.Context, c static.S3API, bucket string, r static.ReleaseManifest) error {
	var missing []string
	for _, k := range r.Keys {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil {
			var apiErr smithy.APIError
			if errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NotFound" || apiErr.ErrorCode() == "NoSuchKey") {
				missing = append(missing, k)
				continue
			}
			return fmt.Errorf("checking the assets of release %s in s3://%s: %s", r.Tag, bucket, awsenv.Explain(err))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("release %s (%s) lost %d of its %d assets to cleanup (first: %s): it is older than the releases kept; deploy its commit again instead",
			r.Tag, r.TaskDefinition, len(missing), len(r.Keys), missing[0])
	}
	return nil
}

func sameRevision(a, b string) bool {
	label := func(s string) string {
		if i := strings.LastIndex(s, "task-definition/"); i >= 0 {
			return s[i+len("task-definition/"):]
		}
		return s
	}
	return label(a) == label(b)
}

func recordedList(releases []static.ReleaseManifest) string {
	if len(releases) == 0 {
		return "none"
	}
	var out []string
	for _, r := range releases[:min(len(releases), 5)] {
		td := r.TaskDefinition
		if td == "" {
			td = "not deployed"
		}
		out = append(out, r.Tag+" ("+td+")")
	}
	return strings.Join(out, ", ")
}
