package ecs

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// RolloutOptions say which container of which service gets which image, and how long to wait for it.
type RolloutOptions struct {
	// Cluster and Service name the ECS service (names or ARNs).
	Cluster, Service string
	// Container is the container of the service's task definition whose image is replaced, e.g. "web".
	Container string
	// Image is the new image, ideally pinned by digest (…/web@sha256:…).
	Image string
	// Env is merged into the container's environment: a variable already set takes the new value, others are added.
	Env map[string]string
	// Progress receives one line per change seen: deployment counts, service events, why tasks stopped. Nil: none.
	Progress io.Writer
	// PollInterval is the time between looks at the service (default 5s).
	PollInterval time.Duration
	// Timeout bounds the wait for the deployment to complete (default 15m), and again for a rollback.
	Timeout time.Duration
	// MaxFailedTasks is how many failed tasks a rollout survives (default 0: the first one fails it). Negative
	// leaves failing to ECS's circuit breaker, which counts to at least 10.
	MaxFailedTasks int
	// NoRollback leaves a failed rollout in place instead of returning the service to the previous revision.
	NoRollback bool
}

// RolloutResult is what a rollout did; Rollout returns it with its error too, to show how far it got.
type RolloutResult struct {
	Cluster, Service string
	// Previous is the revision the service ran before; New the one registered for this rollout; Base the one New
	// was copied from (the family's latest: Previous, or a newer revision Terraform registered).
	Previous, New, Base Revision
	// DeploymentID is the ECS deployment that was followed (ecs-svc/…).
	DeploymentID string
	Image        string
	Duration     time.Duration
	// Events are the service events ECS recorded during the rollout (and rollback), oldest first.
	Events []Event
	// StoppedTasks are the followed deployments' tasks that stopped, with ECS's reason.
	StoppedTasks []StoppedTask
	// RolledBack is set when the rollout failed and the service was returned to Previous and settled there.
	RolledBack bool
}

// Rollout registers a new revision of the service's task definition with Image in Container, deploys it, and
// follows that deployment until it completes. A failure (circuit breaker, a failed task, ECS rolling back on its
// own, timeout) rolls the service back to the previous revision unless NoRollback, and is returned as an error
// that names both revisions. Bad input (unknown cluster, service or container, no image) changes nothing.
func Rollout(ctx context.Context, c Client, o RolloutOptions) (res RolloutResult, err error) {
	start := time.Now()
	t := target{cluster: o.Cluster, service: o.Service}
	res = RolloutResult{Cluster: o.Cluster, Service: o.Service, Image: o.Image}
	if o.Container == "" || strings.TrimSpace(o.Image) == "" {
		return res, t.errorf("rollout needs a container name and an image (got container %q, image %q)", o.Container, o.Image)
	}
	svc, err := findService(ctx, c, t)
	if err != nil {
		return res, err
	}
	current, tags, err := loadTaskDefinition(ctx, c, t, aws.ToString(svc.TaskDefinition))
	if err != nil {
		return res, err
	}
	res.Previous = revisionOf(aws.ToString(current.TaskDefinitionArn))
	base, tags, err := latestOf(ctx, c, t, current, tags)
	if err != nil {
		return res, err
	}
	res.Base = revisionOf(aws.ToString(base.TaskDefinitionArn))
	next, err := withImage(base, o.Container, o.Image, o.Env)
	if err != nil {
		return res, t.errorf("%v", err)
	}
	if res.New, err = register(ctx, c, t, next, tags); err != nil {
		return res, err
	}
	w := newWatch(c, t, o.Progress, o.PollInterval, o.Timeout, o.MaxFailedTasks, svc)
	// res is a named result so that this reaches every return.
	defer func() { res.Events, res.StoppedTasks, res.Duration = w.events, w.stopped, time.Since(start) }()
	if res.Base != res.Previous {
		w.say("registered %s from %s, the family's latest revision (%s: %s), replacing %s", res.New.Label,
			res.Base.Label, o.Container, o.Image, res.Previous.Label)
	} else {
		w.say("registered %s (%s: %s), replacing %s", res.New.Label, o.Container, o.Image, res.Previous.Label)
	}

	got, err := w.deploy(ctx, res.New)
	res.DeploymentID = got.id
	if err != nil && ctx.Err() != nil {
		return res, t.errorf("rollout of %s interrupted (%w); ECS carries on with whatever it started, nothing was rolled back",
			res.New.Label, ctx.Err())
	}
	if err != nil {
		return res, t.errorf("%v (%s is still serving)", err, res.Previous.Label)
	}
	if got.done {
		w.say("%s is serving: deployment %s completed", res.New.Label, got.id)
		return res, nil
	}
	failure := "rollout of " + res.New.Label + " failed: " + got.reason
	w.say("%s", failure)
	if o.NoRollback {
		return res, t.errorf("%s; not rolled back (NoRollback): %s", failure, serving(got.service, res.New))
	}
	if err := w.restore(ctx, res.Previous); err != nil {
		return res, t.errorf("%s; rollback to %s failed too: %w", failure, res.Previous.Label, err)
	}
	res.RolledBack = true
	return res, t.errorf("%s; rolled back, %s is serving", failure, res.Previous.Label)
}

// serving says which revision a service left alone after a failure runs.
func serving(svc types.Service, ours Revision) string {
	td := aws.ToString(svc.TaskDefinition)
	if td == "" || td == ours.ARN {
		return "the service stays on " + ours.Label
	}
	return "ECS put the service back on " + Label(td)
}

// latestOf returns the newest ACTIVE revision of current's family when it is newer than current, else current.
// Terraform owns the task definition (cpu, memory, environment, secrets, roles) and registers a new revision when
// it changes, while the service's task_definition is left to the deploy: copying the revision the service runs
// would silently drop that change at the next deploy. Copying the family's latest carries it, as the common
// "describe the family, render the new image" workflow does.
func latestOf(ctx context.Context, c Client, t target, current *types.TaskDefinition, tags []types.Tag) (*types.TaskDefinition, []types.Tag, error) {
	latest, latestTags, err := loadTaskDefinition(ctx, c, t, aws.ToString(current.Family))
	if err != nil {
		return nil, nil, err
	}
	if latest.Revision > current.Revision {
		return latest, latestTags, nil
	}
	return current, tags, nil
}
