package bootstrap_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/bootstrap"
)

// calls records the AWS operations the clients send.
type calls struct {
	mu  sync.Mutex
	ops []string
}

func (c *calls) add(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("recordCall",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.mu.Lock()
			c.ops = append(c.ops, awsmiddleware.GetOperationName(ctx))
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

// writes are the recorded operations that change something (Create*, Put*, Update*, Delete*), in order.
func (c *calls) writes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var w []string
	for _, op := range c.ops {
		for _, p := range []string{"Create", "Put", "Update", "Delete"} {
			if strings.HasPrefix(op, p) {
				w = append(w, op)
			}
		}
	}
	return w
}

func (c *calls) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.ops)
}

func (c *calls) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops = nil
}

// backend is a moto with recording S3 and DynamoDB clients for Ensure, and plain ones for the test's own checks.
type backend struct {
	s3, checkS3   *s3.Client
	ddb, checkDDB *dynamodb.Client
	calls         *calls
	region        string
}

func newBackend(t *testing.T, region string) *backend {
	t.Helper()
	m := testkit.StartMoto(t)
	cfg := m.Config(t)
	cfg.Region = region
	b := &backend{calls: &calls{}, region: region, checkS3: awsenv.S3(cfg), checkDDB: dynamodb.NewFromConfig(cfg)}
	rec := cfg.Copy()
	rec.APIOptions = append(rec.APIOptions, b.calls.add)
	b.s3, b.ddb = awsenv.S3(rec), dynamodb.NewFromConfig(rec)
	return b
}

func (b *backend) ensure(t *testing.T, o bootstrap.Options) (bootstrap.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if o.Region == "" {
		o.Region = b.region
	}
	return bootstrap.Ensure(ctx, b.s3, b.ddb, o)
}

// policyStatements parses the bucket policy's statements.
func policyStatements(t *testing.T, b *backend, bucket string) []map[string]any {
	t.Helper()
	out, err := b.checkS3.GetBucketPolicy(context.Background(), &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("GetBucketPolicy: %v", err)
	}
	var doc struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &doc); err != nil {
		t.Fatalf("policy %s: %v", aws.ToString(out.Policy), err)
	}
	return doc.Statement
}

func oneLine(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got nil")
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("want one line, got:\n%s", err)
	}
	return err.Error()
}
