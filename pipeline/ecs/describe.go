package ecs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// describeEvents is how many of the latest service events Describe returns.
const describeEvents = 5

// ServiceStatus is what a `status` command shows about a service.
type ServiceStatus struct {
	Cluster, Service string
	// TaskDefinition is the revision the service runs (its PRIMARY deployment's).
	TaskDefinition Revision
	// Containers of that revision with their images, in task definition order.
	Containers                []ContainerImage
	Desired, Running, Pending int
	Deployments               []DeploymentStatus
	// Events are the latest service events, newest first.
	Events []Event
}

// ContainerImage is one container of a task definition and the image it runs.
type ContainerImage struct {
	Name, Image string
}

// DeploymentStatus summarises one deployment of a service.
type DeploymentStatus struct {
	ID string
	// Status is PRIMARY (the newest) or ACTIVE (older, still running tasks).
	Status string
	// RolloutState is IN_PROGRESS, COMPLETED or FAILED; empty without a deployment circuit breaker.
	RolloutState, RolloutStateReason string
	TaskDefinition                   Revision
	Desired, Running, Pending        int
	Failed                           int
	CreatedAt                        time.Time
}

// Describe reports the service's revision, images, task counts, deployments and latest events. It changes nothing.
func Describe(ctx context.Context, c Client, cluster, service string) (ServiceStatus, error) {
	t := target{cluster: cluster, service: service}
	svc, err := findService(ctx, c, t)
	if err != nil {
		return ServiceStatus{}, err
	}
	td, _, err := loadTaskDefinition(ctx, c, t, aws.ToString(svc.TaskDefinition))
	if err != nil {
		return ServiceStatus{}, err
	}
	st := ServiceStatus{
		Cluster: cluster, Service: service,
		TaskDefinition: revisionOf(aws.ToString(td.TaskDefinitionArn)),
		Desired:        int(svc.DesiredCount), Running: int(svc.RunningCount), Pending: int(svc.PendingCount),
	}
	for _, cd := range td.ContainerDefinitions {
		st.Containers = append(st.Containers, ContainerImage{Name: aws.ToString(cd.Name), Image: aws.ToString(cd.Image)})
	}
	for _, d := range svc.Deployments {
		st.Deployments = append(st.Deployments, DeploymentStatus{
			ID: aws.ToString(d.Id), Status: aws.ToString(d.Status),
			RolloutState: string(d.RolloutState), RolloutStateReason: aws.ToString(d.RolloutStateReason),
			TaskDefinition: revisionOf(aws.ToString(d.TaskDefinition)),
			Desired:        int(d.DesiredCount), Running: int(d.RunningCount), Pending: int(d.PendingCount),
			Failed: int(d.FailedTasks), CreatedAt: aws.ToTime(d.CreatedAt),
		})
	}
	for _, e := range svc.Events[:min(describeEvents, len(svc.Events))] {
		st.Events = append(st.Events, Event{ID: aws.ToString(e.Id), At: aws.ToTime(e.CreatedAt), Message: aws.ToString(e.Message)})
	}
	return st, nil
}

// String renders the status for people, one fact a line.
func (s ServiceStatus) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "service %s (cluster %s): %s, running %d/%d, pending %d\n",
		s.Service, s.Cluster, s.TaskDefinition.Label, s.Running, s.Desired, s.Pending)
	for _, c := range s.Containers {
		fmt.Fprintf(&b, "  container %s: %s\n", c.Name, c.Image)
	}
	for _, d := range s.Deployments {
		state := d.RolloutState
		if state == "" {
			state = "-"
		}
		fmt.Fprintf(&b, "  deployment %s %s %s: %s, running %d/%d, pending %d, failed %d\n",
			d.ID, d.Status, d.TaskDefinition.Label, state, d.Running, d.Desired, d.Pending, d.Failed)
	}
	for _, e := range s.Events {
		fmt.Fprintf(&b, "  %s %s\n", e.At.UTC().Format(time.RFC3339), e.Message)
	}
	return b.String()
}
