// Package ecs rolls a new image out to an ECS service and proves it arrived: it registers a new revision of the
// service's task definition, points the service at it, and follows that one deployment (by its id) until ECS says
// it completed, failed, or was replaced. A failed rollout is rolled back to the previous revision and reported as
// a failure: a deploy that ECS quietly rolled back is never shown green.
//
// One verb, one file: rollout.go, rollback.go, describe.go. watch.go follows a deployment and verdict.go decides,
// from one observation, whether it is done; taskdef.go copies and edits task definitions.
package ecs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// Client is the part of the ECS API this package calls; *ecs.Client (aws-sdk-go-v2) satisfies it.
type Client interface {
	DescribeServices(context.Context, *awsecs.DescribeServicesInput, ...func(*awsecs.Options)) (*awsecs.DescribeServicesOutput, error)
	DescribeTaskDefinition(context.Context, *awsecs.DescribeTaskDefinitionInput, ...func(*awsecs.Options)) (*awsecs.DescribeTaskDefinitionOutput, error)
	RegisterTaskDefinition(context.Context, *awsecs.RegisterTaskDefinitionInput, ...func(*awsecs.Options)) (*awsecs.RegisterTaskDefinitionOutput, error)
	UpdateService(context.Context, *awsecs.UpdateServiceInput, ...func(*awsecs.Options)) (*awsecs.UpdateServiceOutput, error)
	ListTasks(context.Context, *awsecs.ListTasksInput, ...func(*awsecs.Options)) (*awsecs.ListTasksOutput, error)
	DescribeTasks(context.Context, *awsecs.DescribeTasksInput, ...func(*awsecs.Options)) (*awsecs.DescribeTasksOutput, error)
	ListTaskDefinitions(context.Context, *awsecs.ListTaskDefinitionsInput, ...func(*awsecs.Options)) (*awsecs.ListTaskDefinitionsOutput, error)
}

var _ Client = (*awsecs.Client)(nil)

// Revision is one task definition revision: its ARN and the family:revision label people use ("web:42").
type Revision struct {
	ARN   string
	Label string
}

func revisionOf(arn string) Revision { return Revision{ARN: arn, Label: Label(arn)} }

// label turns arn:aws:ecs:…:task-definition/web:42 into web:42; anything else is returned as given.
// Label is a task definition's "family:revision", from its ARN or from a label already.
func Label(arn string) string {
	if i := strings.LastIndex(arn, "task-definition/"); i >= 0 {
		return arn[i+len("task-definition/"):]
	}
	return arn
}

// Event is one service event ECS recorded ("(service web) has started 2 tasks: …").
type Event struct {
	ID      string
	At      time.Time
	Message string
}

// StoppedTask is a task of the followed deployment that stopped, with ECS's reason.
type StoppedTask struct {
	ARN    string
	Reason string
}

const (
	defaultPollInterval = 5 * time.Second
	defaultTimeout      = 15 * time.Minute
)

// target names the service every message is about.
type target struct{ cluster, service string }

func (t target) String() string {
	return fmt.Sprintf("ECS service %q in cluster %q", t.service, t.cluster)
}

// errorf prefixes a message with the service it is about; %w works as in fmt.Errorf.
func (t target) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: "+format, append([]any{t}, args...)...)
}

// findService describes the service and turns "no such cluster", "no such service" and "service deleted" into one
// line each, before anything is changed.
func findService(ctx context.Context, c Client, t target) (types.Service, error) {
	if t.cluster == "" || t.service == "" {
		return types.Service{}, errors.New("ECS: a cluster and a service name are required")
	}
	out, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{
		Cluster: aws.String(t.cluster), Services: []string{t.service},
	})
	if err != nil {
		var nf *types.ClusterNotFoundException
		if errors.As(err, &nf) {
			return types.Service{}, fmt.Errorf("ECS cluster %q not found (%s)", t.cluster, awsenv.Explain(err))
		}
		return types.Service{}, t.errorf("describe service: %s", awsenv.Explain(err))
	}
	if len(out.Failures) > 0 { // one service asked for: the first failure is the answer
		f := out.Failures[0]
		if aws.ToString(f.Reason) == "MISSING" {
			return types.Service{}, t.errorf("no such service (ECS reports it MISSING); check the service name")
		}
		return types.Service{}, t.errorf("describe service: %s %s", aws.ToString(f.Reason), aws.ToString(f.Detail))
	}
	if len(out.Services) == 0 {
		return types.Service{}, t.errorf("ECS returned no such service")
	}
	svc := out.Services[0]
	if status := aws.ToString(svc.Status); status != "ACTIVE" {
		return types.Service{}, t.errorf("the service is %s (deleted or being deleted), not ACTIVE", status)
	}
	if dc := svc.DeploymentController; dc != nil && dc.Type != "" && dc.Type != types.DeploymentControllerTypeEcs {
		return types.Service{}, t.errorf("the service uses the %s deployment controller; only ECS rolling deployments are supported", dc.Type)
	}
	return svc, nil
}
