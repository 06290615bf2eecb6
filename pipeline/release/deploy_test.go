package release_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pixelsandpetals/delivery/pipeline/release"
	"github.com/pixelsandpetals/delivery/pipeline/terraform"
)

// recorder wires a Deploy whose stages record that they ran; failAt makes one of them fail.
type recorder struct {
	mu       sync.Mutex
	ran      []string
	unlocked bool
	notified []*release.Summary
}

func (r *recorder) note(stage string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ran = append(r.ran, stage)
}

func (r *recorder) deploy(failAt string) release.Deploy {
	step := func(name string) func(context.Context) error {
		return func(context.Context) error {
			r.note(name)
			if name == failAt {
				return errors.New(name + " broke")
			}
			return nil
		}
	}
	return release.Deploy{Environment: "dev", Tag: "abc",
		Lock:        func(context.Context) (func(), error) { return func() { r.unlocked = true }, nil },
		Check:       step("check"),
		Build:       step("build"),
		Scan:        step("scan"),
		Integration: step("integration"),
		Infrastructure: func(ctx context.Context) (terraform.Targets, string, error) {
			return terraform.Targets{Cluster: "c"}, "2 to add", step("terraform")(ctx)
		},
		Prepare: func(ctx context.Context, tg terraform.Targets) (release.Release, error) {
			r.note("prepare")
			switch failAt {
			case "prepare":
				return release.Release{}, errors.New("registry login refused")
			case "assets":
				return release.Release{}, &release.StageError{Stage: "assets", Err: errors.New("no dist/assets in the image")}
			}
			return release.Release{Targets: tg, Tag: "abc"}, nil
		},
		Release: func(_ context.Context, rel release.Release) (*release.Summary, error) {
			r.note("release")
			if rel.Targets.Cluster != "c" {
				return nil, errors.New("the release did not get the targets Terraform returned")
			}
			s := &release.Summary{Environment: "dev", Tag: "abc", Stages: []release.Stage{{Name: "push", OK: true}}}
			if failAt == "release" {
				s.Failed = "smoke"
				return s, errors.New("smoke test failed; ECS rolled back")
			}
			return s, nil
		},
		Notify: func(s *release.Summary) { r.notified = append(r.notified, s) },
	}
}

// A deploy that goes through runs every stage once in the order the routing needs, tells Notify once with the
// stages before the release first, and lets go of the lock.
func TestDeploy_RunsTheStagesInOrderAndReportsOnce(t *testing.T) {
	r := &recorder{}
	s, err := r.deploy("").Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(r.ran, " ")
	if got != "check build scan integration terraform prepare release" && got != "build check scan integration terraform prepare release" {
		t.Errorf("stages ran: %s", got)
	}
	if !r.unlocked || len(r.notified) != 1 || r.notified[0] != s || s.Infrastructure != "2 to add" {
		t.Fatalf("unlocked %v, notified %d, summary %+v", r.unlocked, len(r.notified), s)
	}
	var names []string
	for _, st := range s.Stages {
		names = append(names, st.Name)
	}
	if strings.Join(names, " ") != "check+build scan integration terraform push" {
		t.Errorf("summary stages: %v", names)
	}
}

// A failure in any stage stops the deploy there, names the stage in the error and in the one summary Notify gets,
// and releases the lock; nothing after it runs.
func TestDeploy_AFailingStageStopsItNamesItAndReportsIt(t *testing.T) {
	for _, c := range []struct{ failAt, stage, notRun string }{
		{"check", "check", "scan"},
		{"build", "build", "scan"},
		{"scan", "scan", "integration"},
		{"integration", "integration", "terraform"},
		{"terraform", "terraform", "prepare"},
		{"prepare", "push", "release"},
		{"assets", "assets", "release"},
		{"release", "smoke", ""},
	} {
		t.Run(c.failAt, func(t *testing.T) {
			r := &recorder{}
			_, err := r.deploy(c.failAt).Run(t.Context())
			if err == nil {
				t.Fatal("the deploy succeeded")
			}
			if c.failAt != "release" && !strings.HasPrefix(err.Error(), "deploy dev: "+c.stage+": ") {
				t.Errorf("error %q should name stage %s", err, c.stage)
			}
			if c.notRun != "" && strings.Contains(strings.Join(r.ran, " "), c.notRun) {
				t.Errorf("%s ran after %s failed: %v", c.notRun, c.failAt, r.ran)
			}
			if !r.unlocked || len(r.notified) != 1 || r.notified[0].Failed != c.stage {
				t.Errorf("unlocked %v, notified %d (%+v)", r.unlocked, len(r.notified), r.notified)
			}
		})
	}
}

// Check and build run side by side: each waits for the other to have started.
func TestDeploy_CheckRunsBesideTheBuild(t *testing.T) {
	r := &recorder{}
	d := r.deploy("")
	checkStarted, buildStarted := make(chan struct{}), make(chan struct{})
	meet := func(mine, other chan struct{}) func(context.Context) error {
		return func(context.Context) error {
			close(mine)
			select {
			case <-other:
				return nil
			case <-time.After(10 * time.Second):
				return errors.New("the other stage never started: check and build ran one after the other")
			}
		}
	}
	d.Check, d.Build = meet(checkStarted, buildStarted), meet(buildStarted, checkStarted)
	if _, err := d.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// A deploy refused its lock tries nothing and reports no failed release; without a check the first stage is
// "build".
func TestDeploy_RefusedLockTriesNothing(t *testing.T) {
	r := &recorder{}
	d := r.deploy("")
	d.Lock = func(context.Context) (func(), error) {
		return nil, errors.New("deploy dev refused: alice holds the dev lock")
	}
	if _, err := d.Run(t.Context()); err == nil || err.Error() != "deploy dev refused: alice holds the dev lock" {
		t.Errorf("error: %v", err)
	}
	if len(r.ran) != 0 || len(r.notified) != 0 {
		t.Errorf("ran %v, notified %d", r.ran, len(r.notified))
	}

	r = &recorder{}
	d = r.deploy("")
	d.Check = nil
	s, err := d.Run(t.Context())
	if err != nil || s.Stages[0].Name != "build" || strings.Contains(strings.Join(r.ran, " "), "check") {
		t.Errorf("without a check: %v, %+v, ran %v", err, s, r.ran)
	}
}
