package ecsfake

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// Step is what happens to a deployment on one poll. Build steps with the functions below.
type Step struct {
	name  string
	apply func(s *Server, svc *service, d *deployment)
}

func (st Step) String() string { return st.name }

// Idle: nothing happens on this poll.
func Idle() Step {
	return Step{name: "idle", apply: func(*Server, *service, *deployment) {}}
}

// StartTasks: n of the deployment's pending tasks start running.
func StartTasks(n int) Step {
	return Step{name: fmt.Sprintf("start %d", n), apply: func(s *Server, svc *service, d *deployment) {
		started := s.startTasks(svc, d, n)
		d.PendingCount = max(0, d.PendingCount-n)
		s.event(svc, fmt.Sprintf("(service %s) has started %d tasks: %s.", svc.ServiceName, n, taskList(started)))
	}}
}

// FailTask: one task of the deployment stops with reason (ECS's stoppedReason), and failedTasks goes up by one.
// ECS keeps the pending count: it will place a replacement.
func FailTask(reason string) Step {
	return Step{name: "fail: " + reason, apply: func(s *Server, svc *service, d *deployment) {
		t := s.newTask(svc, d)
		s.stop(t, "EssentialContainerExited", reason)
		d.FailedTasks++
		s.event(svc, fmt.Sprintf("(service %s) has stopped 1 running tasks: %s.", svc.ServiceName, taskList([]*task{t})))
	}}
}

// TripCircuitBreaker: the deployment circuit breaker fails the deployment (rolloutState FAILED with reason) and
// rolls back: the deployment before it is PRIMARY again and the service runs its task definition.
func TripCircuitBreaker(reason string) Step {
	return Step{name: "circuit breaker: " + reason, apply: func(s *Server, svc *service, d *deployment) {
		d.RolloutState, d.RolloutStateReason, d.Status = "FAILED", reason, "ACTIVE"
		s.event(svc, fmt.Sprintf("(service %s) (deployment %s) deployment failed: %s", svc.ServiceName, d.ID, reason))
		if p := d.prev; p != nil && s.live(svc, p) {
			p.Status, svc.TaskDefinition = "PRIMARY", p.TaskDefinition
			s.event(svc, fmt.Sprintf("(service %s) rolling back to deployment %s.", svc.ServiceName, p.ID))
		}
	}}
}

// Vanish: ECS drops the deployment without a word and the one before it is PRIMARY again.
func Vanish() Step {
	return Step{name: "vanish", apply: func(s *Server, svc *service, d *deployment) {
		var keep []*deployment
		for _, x := range svc.Deployments {
			if x != d {
				keep = append(keep, x)
			}
		}
		svc.Deployments = keep
		if p := d.prev; p != nil && s.live(svc, p) {
			p.Status, svc.TaskDefinition = "PRIMARY", p.TaskDefinition
		}
	}}
}

// Complete: the deployment reaches its desired count and is COMPLETED; ECS stops the older deployments' tasks
// and removes those deployments.
func Complete() Step {
	return Step{name: "complete", apply: func(s *Server, svc *service, d *deployment) {
		if missing := d.DesiredCount - d.RunningCount; missing > 0 {
			s.startTasks(svc, d, missing)
		}
		d.PendingCount, d.RolloutState = 0, "COMPLETED"
		d.RolloutStateReason = "ECS deployment " + d.ID + " completed."
		for _, old := range svc.Deployments {
			if old == d {
				continue
			}
			for _, t := range s.tasks {
				if t.StartedBy == old.ID && t.DesiredStatus == "RUNNING" {
					s.stop(t, "ServiceSchedulerInitiated", "Scaling activity initiated by (deployment "+d.ID+")")
				}
			}
		}
		svc.Deployments = []*deployment{d}
		s.event(svc, fmt.Sprintf("(service %s) has reached a steady state.", svc.ServiceName))
		s.event(svc, fmt.Sprintf("(service %s) (deployment %s) deployment completed.", svc.ServiceName, d.ID))
	}}
}

// startTasks adds n RUNNING tasks of the deployment.
func (s *Server) startTasks(svc *service, d *deployment, n int) []*task {
	var out []*task
	for range n {
		t := s.newTask(svc, d)
		t.LastStatus = "RUNNING"
		out = append(out, t)
	}
	d.RunningCount += n
	return out
}

func (s *Server) newTask(svc *service, d *deployment) *task {
	t := &task{TaskArn: fmt.Sprintf("arn:aws:ecs:%s:%s:task/%s/%032x", region, account, svc.cluster, s.next()),
		ClusterArn: svc.ClusterArn, TaskDefinitionArn: d.TaskDefinition, Group: "service:" + svc.ServiceName,
		StartedBy: d.ID, LastStatus: "PROVISIONING", DesiredStatus: "RUNNING", LaunchType: svc.LaunchType,
		CreatedAt: epoch(time.Now()), cluster: svc.cluster}
	s.tasks = append(s.tasks, t)
	return t
}

func (s *Server) stop(t *task, code, reason string) {
	now := epoch(time.Now())
	t.LastStatus, t.DesiredStatus, t.StopCode, t.StoppedReason, t.StoppedAt = "STOPPED", "STOPPED", code, reason, &now
}

func taskList(tasks []*task) string {
	parts := make([]string, len(tasks))
	for i, t := range tasks {
		parts[i] = "(task " + path.Base(t.TaskArn) + ")"
	}
	return strings.Join(parts, " ")
}
