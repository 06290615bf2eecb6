package terraform

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/pixelsandpetals/delivery/internal/testkit"
)

// motoVars are the -var overrides that let the dev environment apply on moto. Each one is listed, with its reason,
// in infra/README.md.
var motoVars = map[string]string{
	"aws_region":              testkit.Region,
	"s3_use_path_style":       "true",  // moto serves buckets at endpoint/bucket
	"enable_dns":              "false", // no Route 53 zone in an empty moto
	"enable_budget":           "false", // moto's Budgets lacks DescribeSubscribersForNotification: the provider retries ~15 min
	"enable_autoscaling":      "false", // moto's Application Auto Scaling lacks ListTagsForResource: same hang
	"deny_insecure_transport": "false", // moto enforces bucket policies; it is reached over plain HTTP
	"enable_security_headers": "false", // moto's CloudFront lacks CreateResponseHeadersPolicy (404)
}

// applyBudget is the time the apply test needs: ~5 minutes measured on 2 shared cores, with room for a slow day.
const applyBudget = 20 * time.Minute

// The full dev stack, applied and destroyed on moto, with its state in moto's S3 and its lock in moto's DynamoDB:
// proves the configuration, the backend files and the runner end to end, and that outputs are the deploy targets.
func TestApply_DevStackOnMotoWithS3BackendAndDynamoDBLock(t *testing.T) {
	if testing.Short() {
		t.Skip("applies ~100 resources on moto (about 5 minutes); skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), applyBudget)
	defer cancel()
	if deadline, ok := t.Deadline(); ok && time.Until(deadline) < applyBudget+time.Minute {
		msg := fmt.Sprintf("needs go test -timeout of at least %s (the apply alone may take minutes), have %s",
			applyBudget+2*time.Minute, time.Until(deadline).Round(time.Second))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	r := projectRunner(t)
	m := testkit.StartMoto(t, "MOTO_IAM_LOAD_MANAGED_POLICIES=true", "MOTO_ACM_VALIDATION_WAIT=0")
	cfg := m.Config(t)

	backend := filepath.Join(r.Dir, BackendFile("dev"))
	bucket, key, table := hclString(t, backend, "bucket"), hclString(t, backend, "key"), hclString(t, backend, "dynamodb_table")
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ddb := dynamodb.NewFromConfig(cfg)
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket, CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
		LocationConstraint: s3types.BucketLocationConstraint(testkit.Region)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            &table,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}

	r.Env = motoEnv(t, m.Endpoint)
	r.Vars = motoVars
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = logf.Close() }() // terraform's log, read back by path for failure messages only
	r.Stdout = logf
	step := func(name string, f func() error) {
		t.Helper()
		start := time.Now()
		if err := f(); err != nil {
			t.Fatalf("%s: %v\n--- last lines of terraform's output ---\n%s", name, err, testkit.TailOfFile(logPath, 40))
		}
		t.Logf("%-8s %s", name, time.Since(start).Round(100*time.Millisecond))
	}

	step("init", func() error {
		return r.Init(ctx, Backend{ConfigFile: BackendFile("dev"), Settings: map[string]string{"region": testkit.Region, "use_path_style": "true"}})
	})
	var plan PlanSummary
	step("plan", func() (err error) { plan, err = r.Plan(ctx, VarFile("dev"), "dev.tfplan"); return err })
	t.Logf("plan: %s", plan.Counts())
	if len(plan.Add) < 90 || len(plan.Change)+len(plan.Destroy)+len(plan.Replace) > 0 {
		t.Fatalf("a first plan should only add the whole stack, got %s", plan.Counts())
	}
	step("apply", func() error { return r.Apply(ctx, "dev.tfplan") })

	var targets Targets
	step("output", func() (err error) { targets, err = r.Output(ctx); return err })
	t.Logf("targets: %+v", targets)
	if targets.Environment != "dev" || targets.Region != testkit.Region || targets.Container != "app" ||
		!strings.HasSuffix(targets.ECRRepositoryURL, "/pixelsandpetals-dev") || targets.AppURL != "https://dev.pixelsandpetals.com" {
		t.Errorf("unexpected targets %+v", targets)
	}
	if n := stateResources(ctx, t, s3c, bucket, key); n != len(plan.Add) {
		t.Errorf("state in s3://%s/%s holds %d resources, the plan added %d", bucket, key, n, len(plan.Add))
	} else {
		t.Logf("state: %d resources in s3://%s/%s", n, bucket, key)
	}
	// The S3 backend records the state's checksum next to the lock in DynamoDB: proof the table was used.
	digest, err := ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table,
		Key: map[string]ddbtypes.AttributeValue{"LockID": &ddbtypes.AttributeValueMemberS{Value: bucket + "/" + key + "-md5"}}})
	if err != nil || len(digest.Item) == 0 {
		t.Errorf("no state digest in the lock table %s: %v", table, err)
	}

	step("destroy", func() error { return r.Destroy(ctx, VarFile("dev")) })
	if n := stateResources(ctx, t, s3c, bucket, key); n != 0 {
		t.Errorf("state still holds %d resources after destroy", n)
	}
}

// motoEnv sends every AWS call of terraform and its provider to moto and nowhere else: test keys, the global
// endpoint override, any per-service override from the caller's environment redirected too, no shared config
// files, no instance metadata.
func motoEnv(t *testing.T, endpoint string) []string {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "empty")
	writeFile(t, empty, "")
	env := []string{
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_SESSION_TOKEN=",
		"AWS_REGION=" + testkit.Region, "AWS_DEFAULT_REGION=" + testkit.Region,
		"AWS_ENDPOINT_URL=" + endpoint, "AWS_CONFIG_FILE=" + empty, "AWS_SHARED_CREDENTIALS_FILE=" + empty,
		"AWS_EC2_METADATA_DISABLED=true",
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "AWS_ENDPOINT_URL_"):
			env = append(env, name+"="+endpoint)
		case name == "AWS_PROFILE" || name == "AWS_DEFAULT_PROFILE":
			env = append(env, name+"=")
		}
	}
	return env
}

// hclString reads a top-level string setting from a backend file.
func hclString(t *testing.T, file, key string) string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*` + key + `\s*=\s*"([^"]+)"`).FindSubmatch(src)
	if m == nil {
		t.Fatalf("%s has no %s", file, key)
	}
	return string(m[1])
}

// stateResources counts the managed resource instances in the remote state.
func stateResources(ctx context.Context, t *testing.T, c *s3.Client, bucket, key string) int {
	t.Helper()
	obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("reading state s3://%s/%s: %v", bucket, key, err)
	}
	defer func() { _ = obj.Body.Close() }() // read-only
	var state struct {
		Resources []struct {
			Mode      string
			Instances []json.RawMessage
		}
	}
	if err := json.NewDecoder(obj.Body).Decode(&state); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range state.Resources {
		if r.Mode == "managed" {
			n += len(r.Instances)
		}
	}
	return n
}
