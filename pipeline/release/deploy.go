package release

import (
	"context"
	"errors"
	"fmt"

	"github.com/pixelsandpetals/delivery/pipeline/terraform"
)

// Deploy is the whole `deploy`, in the order the stack's routing needs: the environment's lock; check ∥ build; the
// image scan (gate); the app's integration tests against the image; Terraform (apply, or read the state); then the
// release proper (Run: push, assets, rollout, smoke, cleanup, invalidate). Each stage is a function of the caller's
// (the Dagger module builds and scans in containers, a plain Go caller may do it any other way); Deploy runs them,
// times them, names the stage that failed in the error, and hands the summary to Notify however the deploy ends.
type Deploy struct {
	Environment, Tag string
	// Lock takes the environment's lock before anything runs; a refusal ends the deploy before any stage and is not
	// a failed release (nothing was tried). The returned unlock runs however the deploy ends.
	Lock func(context.Context) (unlock func(), err error)
	// Check runs lint, typecheck, tests and the source scan beside Build; nil skips it (--skip-check).
	Check func(context.Context) error
	// Build builds the image the later stages use.
	Build func(context.Context) error
	// Scan gates the image (and finds its static assets): a finding stops the deploy before anything changes.
	Scan func(context.Context) error
	// Integration runs the app's integration tests against the image.
	Integration func(context.Context) error
	// Infrastructure plans and applies the environment, or reads its state, returning the deploy targets and one
	// line on what it changed for the summary.
	Infrastructure func(context.Context) (terraform.Targets, string, error)
	// Prepare turns the targets into the release: image, registry, assets, smoke endpoint. An error is the push
	// stage's unless it is a StageError naming another.
	Prepare func(context.Context, terraform.Targets) (Release, error)
	// Release runs the release proper; nil means Run.
	Release func(context.Context, Release) (*Summary, error)
	// Notify receives the summary once, success or failure of any stage (nil: nobody).
	Notify func(*Summary)
	// Log reports progress (nil: silent).
	Log func(string)
}

// StageError is an error of a Prepare step that belongs to another stage than push (e.g. "assets").
type StageError struct {
	Stage string
	Err   error
}

func (e *StageError) Error() string { return e.Err.Error() }
func (e *StageError) Unwrap() error { return e.Err }

// Run runs the deploy. The summary is nil when the deploy stopped before the release proper; the error names the
// stage that failed ("deploy <env>: <stage>: …").
func (d Deploy) Run(ctx context.Context) (*Summary, error) {
	unlock, err := d.Lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	log := func(s string) {
		if d.Log != nil {
			d.Log(s)
		}
	}
	track := NewTracker(d.Environment, d.Tag, d.Notify)

	// check ∥ build: both are waited for in every case, so the check never outlives the deploy.
	checkErr := make(chan error, 1)
	go func() {
		if d.Check == nil {
			checkErr <- nil
			return
		}
		checkErr <- d.Check(ctx)
	}()
	log("building the image")
	berr := d.Build(ctx)
	cerr := <-checkErr
	switch {
	case berr != nil && cerr != nil:
		return nil, track.Fail("check+build", errors.Join(berr, cerr))
	case berr != nil:
		return nil, track.Fail("build", berr)
	case cerr != nil:
		return nil, track.Fail("check", cerr)
	}
	if d.Check == nil {
		track.Done("build")
	} else {
		track.Done("check+build")
	}

	for _, st := range []struct {
		name, doing string
		run         func(context.Context) error
	}{
		{"scan", "scanning the image", d.Scan},
		{"integration", "integration tests against the image", d.Integration},
	} {
		log(st.doing)
		if err := st.run(ctx); err != nil {
			return nil, track.Fail(st.name, err)
		}
		track.Done(st.name)
	}

	log("terraform")
	targets, infra, err := d.Infrastructure(ctx)
	if err != nil {
		return nil, track.Fail("terraform", err)
	}
	track.Done("terraform")

	r, err := d.Prepare(ctx, targets)
	if err != nil {
		stage := "push"
		var se *StageError
		if errors.As(err, &se) {
			stage = se.Stage
		}
		return nil, track.Fail(stage, err)
	}
	run := d.Release
	if run == nil {
		run = Run
	}
	s, err := run(ctx, r)
	if s != nil {
		s.Infrastructure = infra
		track.Finish(s)
	}
	if err != nil && s != nil {
		return s, fmt.Errorf("%w\n\n%s", err, s.String())
	}
	return s, err
}
