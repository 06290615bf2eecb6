package ecs

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// verdict is what one look at the service says about the followed deployment.
type verdict struct {
	done   bool   // the deployment completed
	failed bool   // the deployment failed; reason says how, in the user's words
	reason string // set when failed
}

// judge decides from one DescribeServices answer whether deployment id (of task definition td) is done, failed
// or still going. maxFailed < 0 leaves failed tasks to the circuit breaker; otherwise more than maxFailed failed
// tasks fail the rollout at once, instead of waiting the half hour the breaker may need to count to ten.
// lastStopped is the latest stoppedReason seen for the deployment's tasks, quoted in failures.
func judge(svc types.Service, id, td string, maxFailed int, lastStopped string) verdict {
	d := deploymentByID(svc, id)
	if d == nil {
		p := primary(svc)
		switch {
		case p == nil:
			return fail("deployment %s disappeared and the service has no PRIMARY deployment", id)
		case aws.ToString(p.TaskDefinition) != td:
			return fail("ECS rolled it back: deployment %s is gone and %s is PRIMARY again", id, Label(aws.ToString(p.TaskDefinition)))
		default:
			return fail("deployment %s was replaced by deployment %s", id, aws.ToString(p.Id))
		}
	}
	if d.RolloutState == types.DeploymentRolloutStateFailed {
		return fail("deployment %s FAILED: %s%s", id, aws.ToString(d.RolloutStateReason), lastStoppedNote(lastStopped))
	}
	if maxFailed >= 0 && int(d.FailedTasks) > maxFailed {
		return fail("%s failed%s", plural(int(d.FailedTasks), "task"), lastStoppedNote(lastStopped))
	}
	if d.RolloutState == types.DeploymentRolloutStateCompleted {
		return verdict{done: true}
	}
	// Without a circuit breaker configuration ECS may leave rolloutState empty: then the deployment is done when it
	// is the only one left, PRIMARY, and at its desired count.
	if d.RolloutState == "" && aws.ToString(d.Status) == "PRIMARY" && len(svc.Deployments) == 1 &&
		d.RunningCount == d.DesiredCount {
		return verdict{done: true}
	}
	return verdict{}
}

func fail(format string, args ...any) verdict {
	return verdict{failed: true, reason: fmt.Sprintf(format, args...)}
}

func lastStoppedNote(reason string) string {
	if reason == "" {
		return ""
	}
	return fmt.Sprintf(" (last stopped reason: %q)", reason)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func deploymentByID(svc types.Service, id string) *types.Deployment {
	for i := range svc.Deployments {
		if aws.ToString(svc.Deployments[i].Id) == id {
			return &svc.Deployments[i]
		}
	}
	return nil
}

func primary(svc types.Service) *types.Deployment {
	for i := range svc.Deployments {
		if aws.ToString(svc.Deployments[i].Status) == "PRIMARY" {
			return &svc.Deployments[i]
		}
	}
	return nil
}

// deploymentFor finds the id of the deployment that runs task definition td, right after UpdateService: the
// PRIMARY one when it matches, else any that does. moto keeps the old task definition on the deployment it does
// not replace, so a service whose own task definition is td is taken to be deploying it with its PRIMARY
// deployment; real ECS always records td on the new deployment, so this changes nothing there.
func deploymentFor(svc types.Service, td string) string {
	if p := primary(svc); p != nil && aws.ToString(p.TaskDefinition) == td {
		return aws.ToString(p.Id)
	}
	for _, d := range svc.Deployments {
		if aws.ToString(d.TaskDefinition) == td {
			return aws.ToString(d.Id)
		}
	}
	if p := primary(svc); p != nil && aws.ToString(svc.TaskDefinition) == td {
		return aws.ToString(p.Id)
	}
	return ""
}

// statusLine summarises a deployment for progress output.
func statusLine(d *types.Deployment) string {
	state := string(d.RolloutState)
	if state == "" {
		state = aws.ToString(d.Status)
	}
	return fmt.Sprintf("deployment %s (%s): %s, running %d/%d, pending %d, failed %d", aws.ToString(d.Id),
		Label(aws.ToString(d.TaskDefinition)), state, d.RunningCount, d.DesiredCount, d.PendingCount, d.FailedTasks)
}
