package ecs_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/ecs"
)

// motoService starts moto with service "web" in cluster "c" running web:1. moto settles a deployment at once when
// MOTO_ECS_SERVICE_RUNNING reaches the desired count; it never fails one (the scripted fake covers that).
func motoService(t *testing.T) (*awsecs.Client, ecs.Revision) {
	t.Helper()
	m := testkit.StartMoto(t, "MOTO_ECS_SERVICE_RUNNING=2")
	c := awsecs.NewFromConfig(m.Config(t))
	ctx := context.Background()
	if _, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String(cluster)}); err != nil {
		t.Fatal(err)
	}
	v1 := registerWeb(t, c, "web")
	if _, err := c.CreateService(ctx, &awsecs.CreateServiceInput{Cluster: aws.String(cluster),
		ServiceName: aws.String(service), TaskDefinition: aws.String(v1.ARN), DesiredCount: aws.Int32(2),
		LaunchType: types.LaunchTypeFargate}); err != nil {
		t.Fatal(err)
	}
	return c, v1
}

func motoOptions() ecs.RolloutOptions {
	return ecs.RolloutOptions{Cluster: cluster, Service: service, Container: "web", Image: newImage,
		PollInterval: 10 * time.Millisecond, Timeout: 10 * time.Second}
}

func TestRollout_Moto_RegistersNewRevisionAndPointsServiceAtIt(t *testing.T) {
	c, v1 := motoService(t)
	ctx := context.Background()
	o := motoOptions()
	o.Env = map[string]string{"LOG_LEVEL": "debug", "FEATURE_CHECKOUT": "on"}

	res, err := ecs.Rollout(ctx, c, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Previous != v1 || res.New.Label != "web:2" || res.DeploymentID == "" || res.RolledBack || res.Image != newImage {
		t.Fatalf("result %+v", res)
	}
	svc, err := c.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(svc.Services[0].TaskDefinition); got != res.New.ARN {
		t.Fatalf("service runs %s, want %s", got, res.New.ARN)
	}

	before, beforeTags := describeTD(t, c, v1.ARN)
	after, afterTags := describeTD(t, c, res.New.ARN)
	web := after.ContainerDefinitions[0]
	if aws.ToString(web.Image) != newImage {
		t.Fatalf("web runs %s", aws.ToString(web.Image))
	}
	var env []string
	for _, kv := range web.Environment {
		env = append(env, aws.ToString(kv.Name)+"="+aws.ToString(kv.Value))
	}
	if got := strings.Join(env, " "); got != "APP_ENV=prod LOG_LEVEL=debug FEATURE_CHECKOUT=on" {
		t.Fatalf("environment %s", got)
	}
	// Everything else is carried over unchanged: the sidecar, roles, sizes, volumes, mounts, ports, tags.
	web.Image, web.Environment = before.ContainerDefinitions[0].Image, before.ContainerDefinitions[0].Environment
	after.ContainerDefinitions[0] = web
	for _, td := range []*types.TaskDefinition{before, after} {
		td.TaskDefinitionArn, td.Revision, td.RegisteredAt, td.RegisteredBy = nil, 0, nil, nil
	}
	if !reflect.DeepEqual(before, after) || !reflect.DeepEqual(beforeTags, afterTags) || len(afterTags) != 1 {
		t.Fatalf("task definition changed beyond image and environment:\nbefore %+v %v\nafter  %+v %v", before, beforeTags, after, afterTags)
	}
}

func describeTD(t *testing.T, c *awsecs.Client, arn string) (*types.TaskDefinition, []types.Tag) {
	t.Helper()
	out, err := c.DescribeTaskDefinition(context.Background(), &awsecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(arn), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
	if err != nil {
		t.Fatal(err)
	}
	return out.TaskDefinition, out.Tags
}

func TestRollout_Moto_BadInputIsOneLineAndRegistersNothing(t *testing.T) {
	c, v1 := motoService(t)
	for _, tc := range []struct {
		name string
		edit func(*ecs.RolloutOptions)
		want string
	}{
		{"unknown cluster", func(o *ecs.RolloutOptions) { o.Cluster = "nope" }, `ECS cluster "nope" not found (ClusterNotFoundException`},
		{"unknown service", func(o *ecs.RolloutOptions) { o.Service = "nope" }, `ECS service "nope" in cluster "c": no such service`},
		{"unknown container", func(o *ecs.RolloutOptions) { o.Container = "app" }, `task definition web:1 has no container "app" (containers: web, log-router)`},
		{"empty image", func(o *ecs.RolloutOptions) { o.Image = "" }, "rollout needs a container name and an image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := motoOptions()
			tc.edit(&o)
			_, err := ecs.Rollout(context.Background(), c, o)
			oneLine(t, err, tc.want)
		})
	}
	list, err := c.ListTaskDefinitions(context.Background(), &awsecs.ListTaskDefinitionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.TaskDefinitionArns) != 1 || list.TaskDefinitionArns[0] != v1.ARN {
		t.Fatalf("bad input registered revisions: %v", list.TaskDefinitionArns)
	}
}

func TestDescribe_Moto_ShowsRevisionImagesAndCounts(t *testing.T) {
	c, v1 := motoService(t)
	st, err := ecs.Describe(context.Background(), c, cluster, service)
	if err != nil {
		t.Fatal(err)
	}
	if st.TaskDefinition != v1 || st.Desired != 2 || st.Running != 2 || len(st.Deployments) != 1 ||
		st.Deployments[0].RolloutState != "COMPLETED" || st.Containers[1].Name != "log-router" {
		t.Fatalf("status %+v", st)
	}
	_, err = ecs.Describe(context.Background(), c, cluster, "nope")
	oneLine(t, err, `ECS service "nope" in cluster "c": no such service`)
}
