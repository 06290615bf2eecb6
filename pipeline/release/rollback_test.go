package release_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pixelsandpetals/delivery/pipeline/release"
	"github.com/pixelsandpetals/delivery/pipeline/static"
)

func TestRollbackTarget(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC) }
	// Newest first, as ListReleases returns them: r3 failed its smoke test and was rolled back to r2.
	releases := []static.ReleaseManifest{
		{Tag: "r3", TaskDefinition: "web:7", Created: at(12)},
		{Tag: "r2", TaskDefinition: "web:5", Created: at(11)},
		{Tag: "r1", TaskDefinition: "web:3", Created: at(10)},
		{Tag: "r0", Created: at(9)}, // pushed, never deployed
	}
	for _, tc := range []struct{ name, serving, to, want, err string }{
		// web:6 (Terraform's revision with a new CPU setting) and web:4 are not releases: never chosen.
		{name: "previous release, skipping revisions Terraform registered", serving: "arn:aws:ecs:eu-west-1:1:task-definition/web:5", want: "r1"},
		{name: "from a failed release's revision", serving: "web:7", want: "r2"},
		{name: "serving a revision nobody recorded", serving: "web:6", want: "r3"},
		{name: "named by tag", serving: "web:5", to: "r1", want: "r1"},
		{name: "named by revision", serving: "web:5", to: "web:3", want: "r1"},
		{name: "a revision Terraform registered", serving: "web:5", to: "web:4", err: "web:4 is not a release this pipeline recorded"},
		{name: "never deployed", serving: "web:5", to: "r0", err: "release r0 never reached ECS"},
		{name: "nothing before the first", serving: "web:3", err: "no recorded release before web:3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := release.RollbackTarget(releases, tc.serving, tc.to)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want an error containing %q, got %v (%+v)", tc.err, err, got)
				}
				return
			}
			if err != nil || got.Tag != tc.want {
				t.Fatalf("got %q, %v; want %q", got.Tag, err, tc.want)
			}
		})
	}
}
