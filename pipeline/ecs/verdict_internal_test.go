package ecs

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

const (
	tdOld = "arn:aws:ecs:eu-west-1:1:task-definition/web:41"
	tdNew = "arn:aws:ecs:eu-west-1:1:task-definition/web:42"
)

func dep(id, status, td string, state types.DeploymentRolloutState, running, desired, failed int32) types.Deployment {
	return types.Deployment{Id: aws.String(id), Status: aws.String(status), TaskDefinition: aws.String(td),
		RolloutState: state, RunningCount: running, DesiredCount: desired, FailedTasks: failed,
		RolloutStateReason: aws.String("ECS deployment circuit breaker: tasks failed to start.")}
}

func TestJudge(t *testing.T) {
	ours := func(state types.DeploymentRolloutState, running, failed int32) types.Deployment {
		return dep("new", "PRIMARY", tdNew, state, running, 2, failed)
	}
	old := dep("old", "ACTIVE", tdOld, types.DeploymentRolloutStateCompleted, 2, 2, 0)
	for _, tc := range []struct {
		name        string
		deployments []types.Deployment
		maxFailed   int
		done        bool
		reason      string // "" when not failed
	}{
		{"in progress", []types.Deployment{ours("IN_PROGRESS", 1, 0), old}, 0, false, ""},
		{"completed", []types.Deployment{ours("COMPLETED", 2, 0)}, 0, true, ""},
		{"circuit breaker", []types.Deployment{ours("FAILED", 0, 3), old}, -1, false,
			`deployment new FAILED: ECS deployment circuit breaker: tasks failed to start. (last stopped reason: "exit 1")`},
		{"first failed task", []types.Deployment{ours("IN_PROGRESS", 1, 1), old}, 0, false,
			`1 task failed (last stopped reason: "exit 1")`},
		{"failed tasks within the limit", []types.Deployment{ours("IN_PROGRESS", 1, 2), old}, 2, false, ""},
		{"failed tasks left to the breaker", []types.Deployment{ours("IN_PROGRESS", 1, 9), old}, -1, false, ""},
		{"vanished, old one PRIMARY", []types.Deployment{dep("old", "PRIMARY", tdOld, "COMPLETED", 2, 2, 0)}, 0, false,
			"ECS rolled it back: deployment new is gone and web:41 is PRIMARY again"},
		{"replaced by a forced redeploy", []types.Deployment{dep("other", "PRIMARY", tdNew, "IN_PROGRESS", 0, 2, 0)}, 0, false,
			"deployment new was replaced by deployment other"},
		{"no circuit breaker: done when alone and at desired count", []types.Deployment{ours("", 2, 0)}, 0, true, ""},
		{"no circuit breaker: old one still draining", []types.Deployment{ours("", 2, 0), old}, 0, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := judge(types.Service{Deployments: tc.deployments}, "new", tdNew, tc.maxFailed, "exit 1")
			if v.done != tc.done || v.failed != (tc.reason != "") || v.reason != tc.reason {
				t.Fatalf("got %+v, want done=%v reason=%q", v, tc.done, tc.reason)
			}
		})
	}
}

func TestDeploymentFor(t *testing.T) {
	primaryNew := dep("new", "PRIMARY", tdNew, "IN_PROGRESS", 0, 2, 0)
	old := dep("old", "ACTIVE", tdOld, "COMPLETED", 2, 2, 0)
	for _, tc := range []struct {
		name, td string
		svc      types.Service
		want     string
	}{
		{"the new PRIMARY deployment", tdNew, types.Service{Deployments: []types.Deployment{primaryNew, old}}, "new"},
		{"rolling back to a revision an ACTIVE deployment also runs", tdOld, types.Service{Deployments: []types.Deployment{
			dep("draining", "ACTIVE", tdOld, "COMPLETED", 1, 2, 0), dep("back", "PRIMARY", tdOld, "IN_PROGRESS", 0, 2, 0)}}, "back"},
		// moto leaves the old task definition on its only deployment after UpdateService.
		{"moto", tdNew, types.Service{TaskDefinition: aws.String(tdNew),
			Deployments: []types.Deployment{dep("only", "PRIMARY", tdOld, "COMPLETED", 2, 2, 0)}}, "only"},
		{"none", tdNew, types.Service{TaskDefinition: aws.String(tdOld), Deployments: []types.Deployment{old}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := deploymentFor(tc.svc, tc.td); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
