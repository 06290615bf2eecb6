package release

import (
	"fmt"
	"strings"

	"github.com/pixelsandpetals/delivery/pipeline/ecs"
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
		if r.TaskDefinition == "" || ecs.Label(r.TaskDefinition) == ecs.Label(serving) {
			continue
		}
		if found && !r.Created.Before(current.Created) {
			continue // newer than the serving release: a release that failed and was rolled back
		}
		return r, nil
	}
	return static.ReleaseManifest{}, fmt.Errorf("no recorded release before %s to roll back to (recorded: %s)", serving, recordedList(releases))
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
