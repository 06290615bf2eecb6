package ecsfake_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/ecs/ecsfake"
)

func start(t *testing.T) (*ecsfake.Server, *awsecs.Client, string) {
	t.Helper()
	f := ecsfake.New(t)
	f.CreateCluster("c")
	cfg, err := awsenv.Load(context.Background(), awsenv.Options{Region: testkit.Region,
		AccessKeyID: "a", SecretAccessKey: "b", Endpoint: f.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := awsecs.NewFromConfig(cfg)
	out, err := c.RegisterTaskDefinition(context.Background(), &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("web:1")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	f.CreateService("c", "web", arn, 2)
	return f, c, arn
}

func TestFake_UpdateServiceFollowsTheDeploymentLifecycle(t *testing.T) {
	f, c, v1 := start(t)
	ctx := context.Background()
	v2, err := c.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{
		Family: aws.String("web"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("web:2")}}})
	if err != nil {
		t.Fatal(err)
	}
	f.Script(ecsfake.StartTasks(1))
	up, err := c.UpdateService(ctx, &awsecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String("web"),
		TaskDefinition: v2.TaskDefinition.TaskDefinitionArn})
	if err != nil {
		t.Fatal(err)
	}
	d := up.Service.Deployments
	if len(d) != 2 || aws.ToString(d[0].Status) != "PRIMARY" || d[0].RolloutState != types.DeploymentRolloutStateInProgress ||
		aws.ToString(d[1].Status) != "ACTIVE" || aws.ToString(d[1].TaskDefinition) != v1 {
		t.Fatalf("deployments after UpdateService: %+v", d)
	}
	if age := time.Since(aws.ToTime(d[0].CreatedAt)); age < 0 || age > time.Minute {
		t.Fatalf("createdAt decoded as %v", aws.ToTime(d[0].CreatedAt))
	}
	svc, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := svc.Services[0].Deployments[0].RunningCount; got != 1 || f.Polls(0) != 1 {
		t.Fatalf("after one poll: running %d, polls %d", got, f.Polls(0))
	}
	// The same task definition again, not forced: ECS starts nothing.
	again, err := c.UpdateService(ctx, &awsecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String("web"),
		TaskDefinition: v2.TaskDefinition.TaskDefinitionArn})
	if err != nil {
		t.Fatal(err)
	}
	if d := again.Service.Deployments; len(d) != 2 || aws.ToString(d[0].Id) != aws.ToString(up.Service.Deployments[0].Id) {
		t.Fatalf("an unchanged UpdateService started a deployment: %+v", d)
	}
}

func TestFake_ErrorsAreAWSJSON(t *testing.T) {
	_, c, _ := start(t)
	_, err := c.DescribeServices(context.Background(), &awsecs.DescribeServicesInput{Cluster: aws.String("nope"), Services: []string{"web"}})
	var nf *types.ClusterNotFoundException
	if !errors.As(err, &nf) || awsenv.Explain(err) != "ClusterNotFoundException: Cluster not found." {
		t.Fatalf("got %v", err)
	}
	_, err = c.DescribeTaskDefinition(context.Background(), &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web:9")})
	var ce *types.ClientException
	if !errors.As(err, &ce) {
		t.Fatalf("got %v", err)
	}
}

func TestFake_UnknownOperationIsRefused(t *testing.T) {
	f, _, _ := start(t)
	req, _ := http.NewRequest(http.MethodPost, f.URL+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DeleteCluster")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }() // only the status is checked
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
}
