package main

import (
	"context"
	"fmt"
	"os"

	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/ecs"
	"github.com/pixelsandpetals/delivery/pipeline/release"
	"github.com/pixelsandpetals/delivery/pipeline/static"
)

// Rollback puts an environment's ECS service back on an earlier release and waits until it serves: by default the
// release deployed before the serving one, as recorded in the static bucket (never a revision Terraform registered
// on its own), or the one --to names. A release whose assets were cleaned up is refused, naming what is missing.
// +cache="never"
func (m *Delivery) Rollback(
	ctx context.Context,
	// Environment, e.g. prod.
	env string,
	// Release to roll back to: its task definition (family:revision or ARN), tag or image digest; default: the
	// release before the serving one.
	// +optional
	to string,
	// Take the environment's lock although another run holds it with a live lease: only when that run is dead.
	// +optional
	breakLock bool,
) (string, error) {
	t, targets, err := m.openApplied(ctx, env)
	if err != nil {
		return "", err
	}
	unlock, err := m.lockEnvironment(ctx, t, "rollback", "", breakLock)
	if err != nil {
		return "", err
	}
	defer unlock()
	ecsc := awsecs.NewFromConfig(t.cfg)
	st, err := ecs.Describe(ctx, ecsc, targets.Cluster, targets.Service)
	if err != nil {
		return "", fmt.Errorf("rollback %s: %w", env, err)
	}
	s3c := awsenv.S3(t.cfg)
	releases, err := static.ListReleases(ctx, s3c, targets.StaticBucket)
	if err != nil {
		return "", fmt.Errorf("rollback %s: %w", env, err)
	}
	back, err := release.RollbackTarget(releases, st.TaskDefinition.ARN, to)
	if err != nil {
		return "", fmt.Errorf("rollback %s: %w", env, err)
	}
	if err := static.CheckAssets(ctx, s3c, targets.StaticBucket, back); err != nil {
		return "", fmt.Errorf("rollback %s: %w", env, err)
	}
	res, err := ecs.Rollback(ctx, ecsc, ecs.RollbackOptions{Cluster: targets.Cluster,
		Service: targets.Service, To: back.TaskDefinition, Progress: os.Stderr})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("rollback %s: %s is serving release %s (was %s)\n", env, res.New.Label, back.Tag, res.Previous.Label), nil
}

// Status shows what an environment runs: task definition, image, task counts, deployments and recent events.
// +cache="never"
func (m *Delivery) Status(
	ctx context.Context,
	// Environment, e.g. prod.
	env string,
) (string, error) {
	t, targets, err := m.openApplied(ctx, env)
	if err != nil {
		return "", err
	}
	st, err := ecs.Describe(ctx, awsecs.NewFromConfig(t.cfg), targets.Cluster, targets.Service)
	if err != nil {
		return "", err
	}
	return st.String(), nil
}
