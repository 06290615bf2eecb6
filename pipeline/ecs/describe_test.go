package ecs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/pixelsandpetals/delivery/pipeline/ecs"
	"github.com/pixelsandpetals/delivery/pipeline/ecs/ecsfake"
)

func TestDescribe_ShowsBothDeploymentsMidRollout(t *testing.T) {
	fx := newFixture(t)
	v2 := registerWeb(t, fx.client, "web")
	fx.fake.Script(ecsfake.StartTasks(1))
	if _, err := fx.client.UpdateService(context.Background(), &awsecs.UpdateServiceInput{
		Cluster: aws.String(cluster), Service: aws.String(service), TaskDefinition: aws.String(v2.ARN),
	}); err != nil {
		t.Fatal(err)
	}

	st, err := ecs.Describe(context.Background(), fx.client, cluster, service)
	if err != nil {
		t.Fatal(err)
	}
	if st.TaskDefinition != v2 || len(st.Containers) != 2 || st.Containers[0].Name != "web" || st.Running != 3 || st.Desired != 2 {
		t.Fatalf("status %+v", st)
	}
	if len(st.Deployments) != 2 {
		t.Fatalf("want the new and the old deployment, got %+v", st.Deployments)
	}
	newer, older := st.Deployments[0], st.Deployments[1]
	if newer.Status != "PRIMARY" || newer.RolloutState != "IN_PROGRESS" || newer.TaskDefinition != v2 || newer.Running != 1 ||
		older.Status != "ACTIVE" || older.TaskDefinition != fx.v1 || older.CreatedAt.IsZero() {
		t.Fatalf("deployments %+v", st.Deployments)
	}
	if len(st.Events) != 2 || !strings.Contains(st.Events[0].Message, "has started 1 tasks") {
		t.Fatalf("events, newest first: %+v", st.Events)
	}
	text := st.String()
	for _, want := range []string{"service web (cluster c): web:2, running 3/2", "container log-router: public.ecr.aws",
		"PRIMARY web:2: IN_PROGRESS, running 1/2", "ACTIVE web:1: COMPLETED, running 2/2"} {
		if !strings.Contains(text, want) {
			t.Fatalf("status text lacks %q:\n%s", want, text)
		}
	}
}
