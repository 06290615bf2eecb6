package ecs_test

import (
	"context"
	"testing"

	"github.com/pixelsandpetals/delivery/pipeline/ecs"
	"github.com/pixelsandpetals/delivery/pipeline/ecs/ecsfake"
)

// deployRevisions rolls out n new revisions (web:2 … web:n+1), each completing at once.
func (fx *fixture) deployRevisions(t *testing.T, n int) []ecs.Revision {
	t.Helper()
	var out []ecs.Revision
	for range n {
		fx.fake.Script(ecsfake.Complete())
		res, err := ecs.Rollout(context.Background(), fx.client, fx.rollout())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.New)
	}
	return out
}

func TestRollback_RestoresThePreviousRevision(t *testing.T) {
	fx := newFixture(t)
	v2 := fx.deployRevisions(t, 1)[0]
	fx.fake.Script(ecsfake.StartTasks(2), ecsfake.Complete())

	res, err := ecs.Rollback(context.Background(), fx.client, fx.rollback())
	if err != nil {
		t.Fatal(err)
	}
	if res.Previous != v2 || res.New != fx.v1 || !res.RolledBack || fx.serving() != fx.v1.ARN {
		t.Fatalf("result %+v, service runs %s", res, fx.serving())
	}
}

func TestRollback_ToANamedRevision(t *testing.T) {
	for _, to := range []string{"web:1", "ARN"} {
		t.Run(to, func(t *testing.T) {
			fx := newFixture(t)
			fx.deployRevisions(t, 2)
			o := fx.rollback()
			if o.To = to; to == "ARN" {
				o.To = fx.v1.ARN
			}
			fx.fake.Script(ecsfake.Complete())

			res, err := ecs.Rollback(context.Background(), fx.client, o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Previous.Label != "web:3" || res.New != fx.v1 || fx.serving() != fx.v1.ARN {
				t.Fatalf("result %+v, service runs %s", res, fx.serving())
			}
		})
	}
}

func TestRollback_PreviousSkipsInactiveRevisionsAndOtherFamilies(t *testing.T) {
	fx := newFixture(t)
	fx.fake.SetPageSize(1) // one revision a page: the search pages
	for range 3 {
		registerWeb(t, fx.client, "web-worker") // "web" is a prefix of "web-worker"
	}
	revs := fx.deployRevisions(t, 2) // web:2, web:3
	fx.fake.Deregister(revs[0].ARN)
	fx.fake.Script(ecsfake.Complete())

	res, err := ecs.Rollback(context.Background(), fx.client, fx.rollback())
	if err != nil {
		t.Fatal(err)
	}
	if res.New != fx.v1 || fx.serving() != fx.v1.ARN {
		t.Fatalf("rolled back to %+v, want web:1 (web:2 is deregistered)", res.New)
	}
}

func TestRollback_FailureIsReportedAndNotRolledBackAgain(t *testing.T) {
	fx := newFixture(t)
	fx.deployRevisions(t, 1)
	fx.fake.Script(ecsfake.FailTask(stopped))

	res, err := ecs.Rollback(context.Background(), fx.client, fx.rollback())
	oneLine(t, err, `ECS service "web" in cluster "c": rollback to web:1 failed: 1 task failed (last stopped reason: "`+
		stopped+`"); the service stays on web:1`)
	if res.RolledBack || fx.fake.Calls("UpdateService") != 2 {
		t.Fatalf("rolled back %v after %d UpdateService calls", res.RolledBack, fx.fake.Calls("UpdateService"))
	}
}

func TestRollback_BadTargetIsOneLineAndChangesNothing(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []struct{ to, want string }{
		{"", `ECS service "web" in cluster "c": no ACTIVE revision of web below web:1 to roll back to`},
		{"web:9", `ECS service "web" in cluster "c": task definition web:9: ClientException: Unable to describe task definition.`},
	} {
		o := fx.rollback()
		o.To = tc.to
		_, err := ecs.Rollback(context.Background(), fx.client, o)
		oneLine(t, err, tc.want)
	}
	fx.deployRevisions(t, 1)
	fx.fake.Deregister(fx.v1.ARN)
	o := fx.rollback()
	o.To = "web:1"
	_, err := ecs.Rollback(context.Background(), fx.client, o)
	oneLine(t, err, "cannot roll back to web:1: it is INACTIVE (deregistered)")
	if n := fx.fake.Calls("UpdateService"); n != 1 {
		t.Fatalf("UpdateService called %d times, want only the rollout's", n)
	}
}
