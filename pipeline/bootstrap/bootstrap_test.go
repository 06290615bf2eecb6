package bootstrap_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/bootstrap"
)

const (
	bucket = "pp-terraform-state"
	table  = "pp-terraform-locks"
)

// assertBackend checks every property of the bucket and table with the services' own Get* calls.
func assertBackend(t *testing.T, b *backend, bucketName, tableName string) {
	t.Helper()
	ctx := context.Background()
	bk := aws.String(bucketName)
	loc, err := b.checkS3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: bk})
	if err != nil {
		t.Fatalf("GetBucketLocation: %v", err)
	}
	if want := b.region; want != "us-east-1" && string(loc.LocationConstraint) != want {
		t.Errorf("bucket in %q, want %q", loc.LocationConstraint, want)
	}
	ver, err := b.checkS3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bk})
	if err != nil || ver.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("versioning %q, %v", ver.Status, err)
	}
	enc, err := b.checkS3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bk})
	if err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) != 1 ||
		enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Errorf("encryption %+v, %v", enc, err)
	}
	pab, err := b.checkS3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bk})
	if err != nil {
		t.Fatalf("GetPublicAccessBlock: %v", err)
	}
	if p := pab.PublicAccessBlockConfiguration; !aws.ToBool(p.BlockPublicAcls) || !aws.ToBool(p.IgnorePublicAcls) ||
		!aws.ToBool(p.BlockPublicPolicy) || !aws.ToBool(p.RestrictPublicBuckets) {
		t.Errorf("public access block %+v", p)
	}
	found := false
	for _, s := range policyStatements(t, b, bucketName) {
		cond := fmt.Sprint(s["Condition"])
		if s["Effect"] == "Deny" && strings.Contains(cond, "aws:SecureTransport:false") &&
			strings.Contains(fmt.Sprint(s["Resource"]), "arn:aws:s3:::"+bucketName+"/*") {
			found = true
		}
	}
	if !found {
		t.Errorf("no statement denies non-TLS access: %v", policyStatements(t, b, bucketName))
	}
	d, err := b.checkDDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tableName)})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	tb := d.Table
	if tb.TableStatus != ddbtypes.TableStatusActive || len(tb.KeySchema) != 1 ||
		aws.ToString(tb.KeySchema[0].AttributeName) != "LockID" || tb.KeySchema[0].KeyType != ddbtypes.KeyTypeHash ||
		tb.AttributeDefinitions[0].AttributeType != ddbtypes.ScalarAttributeTypeS ||
		tb.BillingModeSummary == nil || tb.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest {
		t.Errorf("lock table %+v", tb)
	}
	// A dead run's deploy-lock lease is removed by DynamoDB itself (the next run would take it over anyway).
	ttl, err := b.checkDDB.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(tableName)})
	if err != nil || ttl.TimeToLiveDescription == nil || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != bootstrap.LeaseExpiryAttribute ||
		ttl.TimeToLiveDescription.TimeToLiveStatus != ddbtypes.TimeToLiveStatusEnabled {
		t.Errorf("lock table TTL: %+v (%v)", ttl, err)
	}
}

func TestEnsure_FirstRunCreatesEverything(t *testing.T) {
	b := newBackend(t, testkit.Region)
	var out bytes.Buffer
	res, err := b.ensure(t, bootstrap.Options{Bucket: bucket, LockTable: table, Progress: &out})
	if err != nil {
		t.Fatal(err)
	}
	assertBackend(t, b, bucket, table)
	if res.NothingToDo() || len(res.Changes) != 7 {
		t.Fatalf("want 7 changes (bucket, versioning, encryption, public access, policy, table, lease TTL), got %v", res.Changes)
	}
	if !strings.Contains(out.String(), "lock table "+table+" created") {
		t.Fatalf("progress:\n%s", out.String())
	}
}

func TestEnsure_SecondRunChangesNothing(t *testing.T) {
	b := newBackend(t, testkit.Region)
	if _, err := b.ensure(t, bootstrap.Options{Bucket: bucket, LockTable: table}); err != nil {
		t.Fatal(err)
	}
	b.calls.reset()
	var out bytes.Buffer
	res, err := b.ensure(t, bootstrap.Options{Bucket: bucket, LockTable: table, Progress: &out})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NothingToDo() || !strings.HasPrefix(res.String(), "nothing to do") || !strings.Contains(out.String(), "nothing to do") {
		t.Fatalf("want nothing to do, got %s\n%s", res, out.String())
	}
	if w := b.calls.writes(); len(w) != 0 {
		t.Fatalf("second run wrote: %v", w)
	}
	assertBackend(t, b, bucket, table)
}

func TestEnsure_DriftIsFixedExactly(t *testing.T) {
	b := newBackend(t, testkit.Region)
	if _, err := b.ensure(t, bootstrap.Options{Bucket: bucket, LockTable: table}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := b.checkS3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.checkS3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	b.calls.reset()
	res, err := b.ensure(t, bootstrap.Options{Bucket: bucket, LockTable: table})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 2 || !strings.Contains(res.Changes[0], "versioning enabled (was suspended)") ||
		!strings.Contains(res.Changes[1], "public access blocked (was: no public access block)") {
		t.Fatalf("want exactly versioning and public access fixed, got %q", res.Changes)
	}
	if w := b.calls.writes(); !slices.Equal(w, []string{"PutBucketVersioning", "PutPublicAccessBlock"}) {
		t.Fatalf("writes %v", w)
	}
	assertBackend(t, b, bucket, table)
}

func TestEnsure_InvalidNamesAreOneClearLineAndCreateNothing(t *testing.T) {
	b := newBackend(t, testkit.Region)
	for _, o := range []bootstrap.Options{
		{Bucket: "Terraform_State", LockTable: table},
		{Bucket: "tf", LockTable: table},
		{Bucket: "192.168.1.10", LockTable: table},
		{Bucket: "tf..state", LockTable: table},
		{Bucket: "xn--tf-state", LockTable: table},
		{Bucket: "", LockTable: table},
		{Bucket: bucket, LockTable: "t"},
		{Bucket: bucket, LockTable: "locks with spaces"},
		{Bucket: bucket, LockTable: table, Region: "Ireland"},
	} {
		_, err := b.ensure(t, o)
		if msg := oneLine(t, err); !strings.Contains(msg, "invalid") && !strings.Contains(msg, "no state bucket") {
			t.Errorf("%+v: %s", o, msg)
		}
	}
	if ops := b.calls.all(); len(ops) != 0 {
		t.Fatalf("invalid names reached AWS: %v", ops)
	}
	list, err := b.checkS3.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil || len(list.Buckets) != 0 {
		t.Fatalf("buckets %v, %v", list, err)
	}
	tables, err := b.checkDDB.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	if err != nil || len(tables.TableNames) != 0 {
		t.Fatalf("tables %v, %v", tables, err)
	}
}

func TestEnsure_UsEast1TakesNoLocationConstraint(t *testing.T) {
	b := newBackend(t, "us-east-1")
	if _, err := b.ensure(t, bootstrap.Options{Bucket: bucket, LockTable: table}); err != nil {
		t.Fatal(err)
	}
	loc, err := b.checkS3.GetBucketLocation(context.Background(), &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("location %q, %v", loc.LocationConstraint, err)
	}
	assertBackend(t, b, bucket, table)
}
