package ecs

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// loadTaskDefinition describes a task definition (family:revision or ARN) with its tags, so a new revision can
// carry them over.
func loadTaskDefinition(ctx context.Context, c Client, t target, ref string) (*types.TaskDefinition, []types.Tag, error) {
	out, err := c.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(ref),
		Include:        []types.TaskDefinitionField{types.TaskDefinitionFieldTags},
	})
	if err != nil {
		return nil, nil, t.errorf("task definition %s: %s", Label(ref), awsenv.Explain(err))
	}
	if out.TaskDefinition == nil {
		return nil, nil, t.errorf("task definition %s: ECS returned none", Label(ref))
	}
	return out.TaskDefinition, out.Tags, nil
}

// withImage returns a copy of td whose container named container runs image, with env merged into that
// container's environment: a variable already set keeps its place and takes the new value, new ones are appended
// in name order. td itself is not modified.
func withImage(td *types.TaskDefinition, container, image string, env map[string]string) (*types.TaskDefinition, error) {
	if strings.TrimSpace(image) == "" || strings.ContainsAny(image, " \t\n") {
		return nil, fmt.Errorf("image %q is not an image reference", image)
	}
	out := *td
	out.ContainerDefinitions = append([]types.ContainerDefinition(nil), td.ContainerDefinitions...)
	var names []string
	for i := range out.ContainerDefinitions {
		cd := &out.ContainerDefinitions[i]
		names = append(names, aws.ToString(cd.Name))
		if aws.ToString(cd.Name) != container {
			continue
		}
		cd.Image = aws.String(image)
		cd.Environment = mergeEnv(cd.Environment, env)
		return &out, nil
	}
	return nil, fmt.Errorf("task definition %s has no container %q (containers: %s)",
		Label(aws.ToString(td.TaskDefinitionArn)), container, strings.Join(names, ", "))
}

func mergeEnv(current []types.KeyValuePair, env map[string]string) []types.KeyValuePair {
	if len(env) == 0 {
		return current
	}
	out := make([]types.KeyValuePair, 0, len(current)+len(env))
	done := map[string]bool{}
	for _, kv := range current {
		name := aws.ToString(kv.Name)
		if v, ok := env[name]; ok && !done[name] {
			kv = types.KeyValuePair{Name: aws.String(name), Value: aws.String(v)}
			done[name] = true
		}
		out = append(out, kv)
	}
	var added []string
	for name := range env {
		if !done[name] {
			added = append(added, name)
		}
	}
	sort.Strings(added)
	for _, name := range added {
		out = append(out, types.KeyValuePair{Name: aws.String(name), Value: aws.String(env[name])})
	}
	return out
}

// registerInput copies every field RegisterTaskDefinition accepts from td. The read-only ones (ARN, revision,
// status, compatibilities, requiresAttributes, registeredAt/By, deregisteredAt, deleteRequestedAt) are left out:
// ECS rejects or recomputes them. TestRegisterInput_CopiesEveryRegistrableField fails when an SDK update adds a
// field here that is not copied.
func registerInput(td *types.TaskDefinition, tags []types.Tag) *awsecs.RegisterTaskDefinitionInput {
	return &awsecs.RegisterTaskDefinitionInput{
		ContainerDefinitions:          td.ContainerDefinitions,
		Family:                        td.Family,
		Cpu:                           td.Cpu,
		EnableFaultInjection:          td.EnableFaultInjection,
		EphemeralStorage:              td.EphemeralStorage,
		ExecutionRoleArn:              td.ExecutionRoleArn,
		InferenceAccelerators:         td.InferenceAccelerators, //nolint:staticcheck // deprecated, but copied so a revision round-trips as read
		IpcMode:                       td.IpcMode,
		Memory:                        td.Memory,
		NetworkMode:                   td.NetworkMode,
		PidMode:                       td.PidMode,
		PlacementConstraints:          td.PlacementConstraints,
		ProxyConfiguration:            td.ProxyConfiguration,
		RequiresCompatibilities:       td.RequiresCompatibilities,
		RuntimePlatform:               td.RuntimePlatform,
		Tags:                          userTags(tags),
		TaskRoleArn:                   td.TaskRoleArn,
		TrustedExecutionConfiguration: td.TrustedExecutionConfiguration,
		Volumes:                       td.Volumes,
	}
}

// userTags drops the aws:-prefixed tags AWS adds itself (CloudFormation, Service Catalog): registering them again
// is rejected.
func userTags(tags []types.Tag) []types.Tag {
	var out []types.Tag
	for _, tag := range tags {
		if !strings.HasPrefix(strings.ToLower(aws.ToString(tag.Key)), "aws:") {
			out = append(out, tag)
		}
	}
	return out
}

// register registers the edited task definition as a new revision of its family.
func register(ctx context.Context, c Client, t target, td *types.TaskDefinition, tags []types.Tag) (Revision, error) {
	out, err := c.RegisterTaskDefinition(ctx, registerInput(td, tags))
	if err != nil {
		return Revision{}, t.errorf("register a new revision of %s: %s", aws.ToString(td.Family), awsenv.Explain(err))
	}
	if out.TaskDefinition == nil || out.TaskDefinition.TaskDefinitionArn == nil {
		return Revision{}, t.errorf("register a new revision of %s: ECS returned no ARN", aws.ToString(td.Family))
	}
	return revisionOf(aws.ToString(out.TaskDefinition.TaskDefinitionArn)), nil
}
