package ecs_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/ecs"
	"github.com/pixelsandpetals/delivery/pipeline/ecs/ecsfake"
)

const (
	cluster  = "c"
	service  = "web"
	newImage = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:8f2c0b1e6a7d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f0e1d2c3b4a"
	// stopped is the stoppedReason ECS gives a task whose essential container exited.
	stopped = "Essential container in task exited"
)

// fixture is service "web" in cluster "c" on the scripted fake, running web:1 with two tasks.
type fixture struct {
	fake   *ecsfake.Server
	client *awsecs.Client
	v1     ecs.Revision
	out    *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := ecsfake.New(t)
	f.CreateCluster(cluster)
	client := clientFor(t, f.URL)
	v1 := registerWeb(t, client, "web")
	f.CreateService(cluster, service, v1.ARN, 2)
	return &fixture{fake: f, client: client, v1: v1, out: &bytes.Buffer{}}
}

// rollout is the options every scenario starts from: a tiny poll interval, a timeout no scenario reaches.
func (fx *fixture) rollout() ecs.RolloutOptions {
	return ecs.RolloutOptions{Cluster: cluster, Service: service, Container: "web", Image: newImage,
		Progress: fx.out, PollInterval: 10 * time.Millisecond, Timeout: 20 * time.Second}
}

func (fx *fixture) rollback() ecs.RollbackOptions {
	return ecs.RollbackOptions{Cluster: cluster, Service: service, Progress: fx.out,
		PollInterval: 10 * time.Millisecond, Timeout: 20 * time.Second}
}

// serving is the task definition the service is set to run now.
func (fx *fixture) serving() string { return fx.fake.ServiceTaskDefinition(cluster, service) }

func clientFor(t *testing.T, endpoint string) *awsecs.Client {
	t.Helper()
	cfg, err := awsenv.Load(context.Background(), awsenv.Options{Region: testkit.Region,
		AccessKeyID: "testing", SecretAccessKey: "testing", Endpoint: endpoint, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return awsecs.NewFromConfig(cfg)
}

// registerWeb registers a Fargate task definition shaped like the app's: the web container and a log router
// sidecar, roles, sizes, a volume and a tag, so a test can see every one of them carried to the next revision.
func registerWeb(t *testing.T, c *awsecs.Client, family string) ecs.Revision {
	t.Helper()
	out, err := c.RegisterTaskDefinition(context.Background(), &awsecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(family),
		NetworkMode:             types.NetworkModeAwsvpc,
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		ExecutionRoleArn:        aws.String("arn:aws:iam::123456789012:role/web-execution"),
		TaskRoleArn:             aws.String("arn:aws:iam::123456789012:role/web-task"),
		RuntimePlatform:         &types.RuntimePlatform{OperatingSystemFamily: types.OSFamilyLinux, CpuArchitecture: types.CPUArchitectureX8664},
		Volumes:                 []types.Volume{{Name: aws.String("tmp")}},
		Tags:                    []types.Tag{{Key: aws.String("team"), Value: aws.String("pets")}},
		ContainerDefinitions: []types.ContainerDefinition{
			{
				Name: aws.String("web"), Image: aws.String("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1"),
				Essential:    aws.Bool(true),
				PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(8080), Protocol: types.TransportProtocolTcp}},
				Environment: []types.KeyValuePair{
					{Name: aws.String("APP_ENV"), Value: aws.String("prod")},
					{Name: aws.String("LOG_LEVEL"), Value: aws.String("info")},
				},
				MountPoints: []types.MountPoint{{SourceVolume: aws.String("tmp"), ContainerPath: aws.String("/tmp")}},
			},
			{Name: aws.String("log-router"), Image: aws.String("public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0"),
				Essential: aws.Bool(false)},
		},
	})
	if err != nil {
		t.Fatal(awsenv.Explain(err))
	}
	arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
	return ecs.Revision{ARN: arn, Label: arn[strings.LastIndex(arn, "/")+1:]}
}

// oneLine fails the test unless err is a single line containing every want.
func oneLine(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error containing %q, got none", want)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("want one line, got:\n%v", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("error %q does not say %q", err, w)
		}
	}
}
