package ecs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/pixelsandpetals/delivery/pipeline/ecs"
	"github.com/pixelsandpetals/delivery/pipeline/ecs/ecsfake"
)

func TestRollout_CompletesAndReportsWhatItDid(t *testing.T) {
	fx := newFixture(t)
	fx.fake.Script(ecsfake.StartTasks(1), ecsfake.StartTasks(1), ecsfake.Complete())

	res, err := ecs.Rollout(context.Background(), fx.client, fx.rollout())
	if err != nil {
		t.Fatal(err)
	}
	if res.Previous != fx.v1 || res.New.Label != "web:2" || !strings.HasSuffix(res.New.ARN, ":task-definition/web:2") {
		t.Fatalf("revisions: previous %+v, new %+v", res.Previous, res.New)
	}
	if fx.serving() != res.New.ARN {
		t.Fatalf("service runs %s, want %s", fx.serving(), res.New.ARN)
	}
	if !strings.HasPrefix(res.DeploymentID, "ecs-svc/") || res.Image != newImage || res.RolledBack || res.Duration <= 0 {
		t.Fatalf("result: %+v", res)
	}
	if got := fx.fake.Polls(0); got != 3 {
		t.Fatalf("done after %d polls, want 3 (two task starts, then completion)", got)
	}
	if last := res.Events[len(res.Events)-1].Message; !strings.Contains(last, "deployment completed") {
		t.Fatalf("last event %q", last)
	}
}

func TestRollout_CircuitBreakerRollbackIsFailure(t *testing.T) {
	fx := newFixture(t)
	o := fx.rollout()
	o.MaxFailedTasks = -1 // leave failing to the breaker
	fx.fake.Script(ecsfake.StartTasks(1), ecsfake.FailTask(stopped), ecsfake.FailTask(stopped),
		ecsfake.TripCircuitBreaker("ECS deployment circuit breaker: tasks failed to start."))

	res, err := ecs.Rollout(context.Background(), fx.client, o)
	oneLine(t, err, `ECS service "web" in cluster "c": rollout of web:2 failed: deployment `+res.DeploymentID+
		` FAILED: ECS deployment circuit breaker: tasks failed to start. (last stopped reason: "`+stopped+
		`"); rolled back, web:1 is serving`)
	if !res.RolledBack || fx.serving() != fx.v1.ARN {
		t.Fatalf("rolled back %v, service runs %s, want %s", res.RolledBack, fx.serving(), fx.v1.ARN)
	}
	if got := fx.fake.Polls(0); got != 4 {
		t.Fatalf("breaker seen after %d polls, want 4", got)
	}
}

func TestRollout_FirstFailedTaskFailsFast(t *testing.T) {
	for _, tc := range []struct {
		maxFailed, polls int
		want             string
	}{
		{0, 2, "1 task failed"},
		{1, 3, "2 tasks failed"},
	} {
		t.Run(fmt.Sprintf("MaxFailedTasks=%d", tc.maxFailed), func(t *testing.T) {
			fx := newFixture(t)
			o := fx.rollout()
			o.MaxFailedTasks = tc.maxFailed
			fx.fake.Script(ecsfake.StartTasks(1), ecsfake.FailTask(stopped), ecsfake.FailTask(stopped),
				ecsfake.Idle(), ecsfake.Idle(), ecsfake.TripCircuitBreaker("tasks failed to start"))
			fx.fake.Script(ecsfake.Complete()) // the rollback

			res, err := ecs.Rollout(context.Background(), fx.client, o)
			want := `ECS service "web" in cluster "c": rollout of web:2 failed: ` + tc.want +
				` (last stopped reason: "` + stopped + `"); rolled back, web:1 is serving`
			if err == nil || err.Error() != want {
				t.Fatalf("error:\n got %v\nwant %s", err, want)
			}
			if got := fx.fake.Polls(0); got != tc.polls {
				t.Fatalf("failed after %d polls, want %d: right after the failed task, not at the breaker", got, tc.polls)
			}
			if !res.RolledBack || fx.serving() != fx.v1.ARN {
				t.Fatalf("rolled back %v, service runs %s", res.RolledBack, fx.serving())
			}
		})
	}
}

func TestRollout_TimeoutIsFailureAndRollsBack(t *testing.T) {
	fx := newFixture(t)
	o := fx.rollout()
	o.Timeout = 100 * time.Millisecond
	fx.fake.Script(ecsfake.StartTasks(1)) // then nothing: stuck at 1/2
	fx.fake.Script(ecsfake.Complete())

	res, err := ecs.Rollout(context.Background(), fx.client, o)
	oneLine(t, err, "rollout of web:2 failed: not complete after 100ms", "running 1/2", "rolled back, web:1 is serving")
	if !res.RolledBack || fx.serving() != fx.v1.ARN || fx.fake.Calls("UpdateService") != 2 {
		t.Fatalf("rolled back %v, service runs %s after %d UpdateService calls", res.RolledBack, fx.serving(),
			fx.fake.Calls("UpdateService"))
	}
}

func TestRollout_NoRollbackLeavesTheNewRevision(t *testing.T) {
	fx := newFixture(t)
	o := fx.rollout()
	o.NoRollback = true
	fx.fake.Script(ecsfake.StartTasks(1), ecsfake.FailTask(stopped))

	res, err := ecs.Rollout(context.Background(), fx.client, o)
	want := `ECS service "web" in cluster "c": rollout of web:2 failed: 1 task failed (last stopped reason: "` + stopped +
		`"); not rolled back (NoRollback): the service stays on web:2`
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n got %v\nwant %s", err, want)
	}
	if res.RolledBack || fx.serving() != res.New.ARN || fx.fake.Calls("UpdateService") != 1 {
		t.Fatalf("rolled back %v, service runs %s", res.RolledBack, fx.serving())
	}
}

func TestRollout_DeploymentReplacedByECSIsFailure(t *testing.T) {
	fx := newFixture(t)
	fx.fake.Script(ecsfake.StartTasks(1), ecsfake.Vanish())

	res, err := ecs.Rollout(context.Background(), fx.client, fx.rollout())
	oneLine(t, err, "rollout of web:2 failed: ECS rolled it back: deployment "+res.DeploymentID+
		" is gone and web:1 is PRIMARY again; rolled back, web:1 is serving")
	if fx.serving() != fx.v1.ARN {
		t.Fatalf("service runs %s", fx.serving())
	}
}

func TestRollout_FailedRollbackSaysBoth(t *testing.T) {
	fx := newFixture(t)
	o := fx.rollout()
	o.Timeout = 50 * time.Millisecond
	fx.fake.Script()
	fx.fake.Script(ecsfake.FailTask("CannotPullContainerError: pull access denied"))

	res, err := ecs.Rollout(context.Background(), fx.client, o)
	oneLine(t, err, "rollout of web:2 failed: not complete after 50ms",
		`rollback to web:1 failed too: 1 task failed (last stopped reason: "CannotPullContainerError: pull access denied")`)
	if res.RolledBack {
		t.Fatal("a failed rollback is not RolledBack")
	}
}

func TestRollout_ProgressShowsEachEventAndStoppedReasonOnce(t *testing.T) {
	fx := newFixture(t)
	o := fx.rollout()
	o.MaxFailedTasks = 5
	fx.fake.Script(ecsfake.StartTasks(1), ecsfake.FailTask(stopped), ecsfake.Idle(), ecsfake.Idle(),
		ecsfake.StartTasks(1), ecsfake.Complete())

	res, err := ecs.Rollout(context.Background(), fx.client, o)
	if err != nil {
		t.Fatal(err)
	}
	out := fx.out.String()
	if len(res.StoppedTasks) != 1 || strings.Count(out, "stopped: "+stopped) != 1 {
		t.Fatalf("want the stopped task reported once, got %d in result and progress:\n%s", len(res.StoppedTasks), out)
	}
	// The old deployment's tasks, stopped on completion, are not ours.
	if strings.Contains(out, "Scaling activity") {
		t.Fatalf("progress reports the old deployment's tasks:\n%s", out)
	}
	// The service's earlier "steady state" event is not news: only the one after completion is reported.
	if n := strings.Count(out, "has reached a steady state"); n != 1 {
		t.Fatalf("steady state reported %d times:\n%s", n, out)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if _, msg, ok := strings.Cut(line, "event: "); ok {
			if seen[msg] {
				t.Fatalf("event %q reported twice:\n%s", msg, out)
			}
			seen[msg] = true
		}
	}
	if len(seen) != len(res.Events) || len(seen) != 5 {
		t.Fatalf("progress shows %d events, result has %d, want 5 (2 starts, 1 stop, steady state, completed):\n%s",
			len(seen), len(res.Events), out)
	}
}

func TestRollout_CancelledContextStopsWatchingWithoutRollback(t *testing.T) {
	fx := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := fx.rollout()
	o.Progress = cancelOn{"running 1/2", cancel}
	fx.fake.Script(ecsfake.StartTasks(1))

	_, err := ecs.Rollout(ctx, fx.client, o)
	oneLine(t, err, "rollout of web:2 interrupted", "nothing was rolled back")
	if !errors.Is(err, context.Canceled) || fx.fake.Calls("UpdateService") != 1 {
		t.Fatalf("error %v after %d UpdateService calls", err, fx.fake.Calls("UpdateService"))
	}
}

// cancelOn cancels the rollout's context when a progress line says something: a user pressing Ctrl-C.
type cancelOn struct {
	text   string
	cancel func()
}

func (c cancelOn) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.text) {
		c.cancel()
	}
	return len(p), nil
}

func TestRollout_BadInputIsOneLineAndChangesNothing(t *testing.T) {
	fx := newFixture(t)
	fx.fake.CreateService(cluster, "old", fx.v1.ARN, 1)
	fx.fake.DeleteService(cluster, "old")
	for _, tc := range []struct {
		name string
		edit func(*ecs.RolloutOptions)
		want string
	}{
		{"unknown cluster", func(o *ecs.RolloutOptions) { o.Cluster = "nope" }, `ECS cluster "nope" not found (ClusterNotFoundException`},
		{"unknown service", func(o *ecs.RolloutOptions) { o.Service = "nope" }, `ECS service "nope" in cluster "c": no such service`},
		{"deleted service", func(o *ecs.RolloutOptions) { o.Service = "old" }, `ECS service "old" in cluster "c": the service is INACTIVE`},
		{"unknown container", func(o *ecs.RolloutOptions) { o.Container = "app" }, `has no container "app" (containers: web, log-router)`},
		{"empty image", func(o *ecs.RolloutOptions) { o.Image = " " }, "rollout needs a container name and an image"},
		{"image with spaces", func(o *ecs.RolloutOptions) { o.Image = "web:1 web:2" }, `image "web:1 web:2" is not an image reference`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := fx.rollout()
			tc.edit(&o)
			_, err := ecs.Rollout(context.Background(), fx.client, o)
			oneLine(t, err, tc.want)
		})
	}
	if n, m := fx.fake.Calls("RegisterTaskDefinition"), fx.fake.Calls("UpdateService"); n != 1 || m != 0 {
		t.Fatalf("bad input registered %d revisions and updated the service %d times", n-1, m)
	}
}

// Terraform registered web:2 (more memory, a new variable) while the service still runs web:1: the rollout copies
// web:2, so the change reaches the service instead of being dropped, and a failure still goes back to web:1.
func TestRollout_CarriesATerraformRegisteredRevision(t *testing.T) {
	fx := newFixture(t)
	out, err := fx.client.DescribeTaskDefinition(context.Background(), &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(fx.v1.ARN)})
	if err != nil {
		t.Fatal(err)
	}
	td := out.TaskDefinition
	td.ContainerDefinitions[0].Environment = append(td.ContainerDefinitions[0].Environment,
		types.KeyValuePair{Name: aws.String("FEATURE_FLAGS"), Value: aws.String("checkout-v2")})
	if _, err := fx.client.RegisterTaskDefinition(context.Background(), &awsecs.RegisterTaskDefinitionInput{
		Family: td.Family, NetworkMode: td.NetworkMode, RequiresCompatibilities: td.RequiresCompatibilities,
		Cpu: td.Cpu, Memory: aws.String("1024"), ExecutionRoleArn: td.ExecutionRoleArn, TaskRoleArn: td.TaskRoleArn,
		Volumes: td.Volumes, ContainerDefinitions: td.ContainerDefinitions}); err != nil {
		t.Fatal(err)
	}
	fx.fake.Script(ecsfake.StartTasks(1), ecsfake.FailTask(stopped))
	fx.fake.Script(ecsfake.Complete()) // the rollback

	res, err := ecs.Rollout(context.Background(), fx.client, fx.rollout())
	if err == nil || !res.RolledBack || res.Previous != fx.v1 || res.Base.Label != "web:2" || res.New.Label != "web:3" {
		t.Fatalf("rollout: %v; previous %s, base %s, new %s, rolled back %v", err, res.Previous.Label, res.Base.Label, res.New.Label, res.RolledBack)
	}
	if fx.serving() != fx.v1.ARN {
		t.Fatalf("after the failure the service runs %s, want %s", fx.serving(), fx.v1.ARN)
	}
	got, err := fx.client.DescribeTaskDefinition(context.Background(), &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(res.New.ARN)})
	if err != nil {
		t.Fatal(err)
	}
	web := got.TaskDefinition.ContainerDefinitions[0]
	var flags string
	for _, kv := range web.Environment {
		if aws.ToString(kv.Name) == "FEATURE_FLAGS" {
			flags = aws.ToString(kv.Value)
		}
	}
	if aws.ToString(got.TaskDefinition.Memory) != "1024" || flags != "checkout-v2" || aws.ToString(web.Image) != newImage {
		t.Fatalf("web:3 has memory %s, FEATURE_FLAGS %q, image %s; want Terraform's web:2 with the new image",
			aws.ToString(got.TaskDefinition.Memory), flags, aws.ToString(web.Image))
	}
	if !strings.Contains(fx.out.String(), "registered web:3 from web:2, the family's latest revision") {
		t.Errorf("the progress should say where web:3 came from:\n%s", fx.out.String())
	}
}
