package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// LockKey is the partition key Terraform's S3 backend writes its lock items under.
const LockKey = "LockID"

// DynamoDBAPI is the part of the DynamoDB client Ensure needs; *dynamodb.Client implements it.
type DynamoDBAPI interface {
	dynamodb.DescribeTableAPIClient
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	UpdateTable(ctx context.Context, in *dynamodb.UpdateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error)
	DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// LeaseExpiryAttribute is the attribute in which the environment lock (pipeline/release) keeps its lease's end, in
// Unix seconds. The table's TTL reads it, so DynamoDB itself removes the lock of a run that died: the next run
// would take an expired lease over anyway, this only keeps the table clean. Terraform's own lock items have no
// such attribute and are never touched.
const LeaseExpiryAttribute = "Expires"

// ensureLeaseExpiry turns on the table's TTL on LeaseExpiryAttribute.
func (r *run) ensureLeaseExpiry(ctx context.Context, c DynamoDBAPI) error {
	name := aws.String(r.o.LockTable)
	out, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: name})
	if err != nil {
		return r.tableFail("reading its TTL", err)
	}
	if d := out.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == LeaseExpiryAttribute &&
		(d.TimeToLiveStatus == ddbtypes.TimeToLiveStatusEnabled || d.TimeToLiveStatus == ddbtypes.TimeToLiveStatusEnabling) {
		r.ok("lock table %s: expired leases removed (TTL on %s)", r.o.LockTable, LeaseExpiryAttribute)
		return nil
	}
	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: name,
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String(LeaseExpiryAttribute), Enabled: aws.Bool(true)}}); err != nil {
		return r.tableFail("turning on TTL for expired deploy-lock leases", err)
	}
	r.changed("lock table %s: expired leases removed (TTL on %s)", r.o.LockTable, LeaseExpiryAttribute)
	return nil
}

func (r *run) tableFail(what string, err error) error {
	return fmt.Errorf("lock table %q: %s: %s", r.o.LockTable, what, awsenv.Explain(err))
}

// ensureLockTable makes the lock table exist with key LockID (string), on-demand billing, and ACTIVE.
func (r *run) ensureLockTable(ctx context.Context, c DynamoDBAPI) error {
	name := aws.String(r.o.LockTable)
	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: name})
	var notFound *ddbtypes.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return r.createLockTable(ctx, c)
	case err != nil:
		return r.tableFail("reading it", err)
	}
	return r.ensureExisting(ctx, c, out.Table)
}

// ensureExisting checks an existing table's key and billing mode and waits for it to be ACTIVE.
func (r *run) ensureExisting(ctx context.Context, c DynamoDBAPI, t *ddbtypes.TableDescription) error {
	name := aws.String(r.o.LockTable)
	if err := r.checkKey(t); err != nil {
		return err
	}
	r.ok("lock table %s exists with key %s", r.o.LockTable, LockKey)
	if t.TableStatus != ddbtypes.TableStatusActive {
		if err := r.waitActive(ctx, c); err != nil {
			return err
		}
	}
	mode := ddbtypes.BillingModeProvisioned
	if t.BillingModeSummary != nil && t.BillingModeSummary.BillingMode != "" {
		mode = t.BillingModeSummary.BillingMode
	}
	if mode == ddbtypes.BillingModePayPerRequest {
		r.ok("lock table %s: billing PAY_PER_REQUEST", r.o.LockTable)
		return nil
	}
	if _, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name, BillingMode: ddbtypes.BillingModePayPerRequest}); err != nil {
		return r.tableFail("switching to PAY_PER_REQUEST billing", err)
	}
	r.changed("lock table %s: billing PAY_PER_REQUEST (was %s)", r.o.LockTable, mode)
	return r.waitActive(ctx, c)
}

func (r *run) createLockTable(ctx context.Context, c DynamoDBAPI) error {
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(r.o.LockTable),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String(LockKey), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String(LockKey), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	var inUse *ddbtypes.ResourceInUseException
	switch {
	case errors.As(err, &inUse):
		// Created by someone else a moment ago: wait for it, then check it like an existing table.
		if err := r.waitActive(ctx, c); err != nil {
			return err
		}
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(r.o.LockTable)})
		if err != nil {
			return r.tableFail("reading it", err)
		}
		return r.ensureExisting(ctx, c, out.Table)
	case err != nil:
		return r.tableFail("creating it", err)
	}
	r.changed("lock table %s created (key %s, PAY_PER_REQUEST)", r.o.LockTable, LockKey)
	return r.waitActive(ctx, c)
}

// checkKey fails when the table's key is not exactly LockID (string): that cannot be changed in place.
func (r *run) checkKey(t *ddbtypes.TableDescription) error {
	types := map[string]ddbtypes.ScalarAttributeType{}
	for _, a := range t.AttributeDefinitions {
		types[aws.ToString(a.AttributeName)] = a.AttributeType
	}
	var keys []string
	for _, k := range t.KeySchema {
		keys = append(keys, fmt.Sprintf("%s %s (%s)", aws.ToString(k.AttributeName), k.KeyType, types[aws.ToString(k.AttributeName)]))
	}
	if len(t.KeySchema) == 1 && aws.ToString(t.KeySchema[0].AttributeName) == LockKey &&
		t.KeySchema[0].KeyType == ddbtypes.KeyTypeHash && types[LockKey] == ddbtypes.ScalarAttributeTypeS {
		return nil
	}
	return fmt.Errorf("lock table %q has key %s, Terraform needs only partition key %s (S); a key cannot be changed in place: choose another table name",
		r.o.LockTable, strings.Join(keys, ", "), LockKey)
}

// waitActive waits, bounded by WaitTimeout, for the table to be ACTIVE.
func (r *run) waitActive(ctx context.Context, c DynamoDBAPI) error {
	start := time.Now()
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Second, 10*time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(r.o.LockTable)}, r.o.WaitTimeout); err != nil {
		return fmt.Errorf("lock table %q did not become ACTIVE within %s: %s", r.o.LockTable, r.o.WaitTimeout, awsenv.Explain(err))
	}
	r.printf("  waited    %s for lock table %s to be ACTIVE\n", time.Since(start).Round(time.Millisecond), r.o.LockTable)
	return nil
}
