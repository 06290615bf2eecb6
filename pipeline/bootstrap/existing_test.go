package bootstrap_test

import (
	"bytes"
	"context"
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

// A hand-made bucket with its own policy and a provisioned lock table: Ensure adds what is missing, keeps the
// policy's other statements, and moves the table to on-demand billing.
func TestEnsure_ExistingResourcesAreCompletedNotReplaced(t *testing.T) {
	b := newBackend(t, testkit.Region)
	ctx := context.Background()
	if _, err := b.checkS3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(testkit.Region)}}); err != nil {
		t.Fatal(err)
	}
	own := `{"Version":"2012-10-17","Statement":[{"Sid":"CIRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/ci"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
	if _, err := b.checkS3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(own)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.checkDDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(table),
		AttributeDefinitions:  []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:             []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:           ddbtypes.BillingModeProvisioned,
		ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)},
	}); err != nil {
		t.Fatal(err)
	}
	res, err := b.ensure(t, bootstrap.Options{Bucket: bucket, LockTable: table})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(res.Changes, "\n")
	if strings.Contains(joined, "created") || !strings.Contains(joined, "policy denies non-TLS access (was policy without it)") ||
		!strings.Contains(joined, "billing PAY_PER_REQUEST (was PROVISIONED)") {
		t.Fatalf("changes:\n%s", joined)
	}
	var sids []string
	for _, s := range policyStatements(t, b, bucket) {
		sids = append(sids, s["Sid"].(string))
	}
	if !slices.Equal(sids, []string{"CIRead", bootstrap.TLSStatementID}) {
		t.Fatalf("statements %v", sids)
	}
	assertBackend(t, b, bucket, table)
}

func TestEnsure_KMSKeyReplacesSSES3(t *testing.T) {
	b := newBackend(t, testkit.Region)
	if _, err := b.ensure(t, bootstrap.Options{Bucket: bucket, LockTable: table}); err != nil {
		t.Fatal(err)
	}
	key := "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	b.calls.reset()
	res, err := b.ensure(t, bootstrap.Options{Bucket: bucket, LockTable: table, KMSKeyID: key})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 || !strings.Contains(res.Changes[0], "aws:kms with key "+key+" (was AES256)") {
		t.Fatalf("changes %q", res.Changes)
	}
	enc, err := b.checkS3.GetBucketEncryption(context.Background(), &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	d := enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
	if d.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms || aws.ToString(d.KMSMasterKeyID) != key {
		t.Fatalf("encryption %+v", d)
	}
	// Without a key, a KMS-encrypted bucket is left alone rather than downgraded.
	res, err = b.ensure(t, bootstrap.Options{Bucket: bucket, LockTable: table})
	if err != nil || !res.NothingToDo() {
		t.Fatalf("%s, %v", res, err)
	}
}

func TestEnsure_LockTableWithWrongKeyIsOneClearLine(t *testing.T) {
	b := newBackend(t, testkit.Region)
	if _, err := b.checkDDB.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String(table),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeN}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_, err := b.ensure(t, bootstrap.Options{Bucket: bucket, LockTable: table, Progress: &out})
	msg := oneLine(t, err)
	if !strings.Contains(msg, `lock table "`+table+`" has key id HASH (N)`) || !strings.Contains(msg, "LockID") {
		t.Fatal(msg)
	}
}
