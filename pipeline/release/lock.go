package release

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// LockAPI is the part of DynamoDB the deploy lock uses.
type LockAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Lock takes the environment's deploy lock: an item in Terraform's lock table (LockID "deploy/<env>"), written
// only if absent. Two deploys of one environment would otherwise interleave rollouts and HTML switches; Terraform's
// own state lock covers only the apply. The returned func releases the lock.
func Lock(ctx context.Context, db LockAPI, table, env, holder string) (func(context.Context) error, error) {
	id := "deploy/" + env
	now := time.Now().UTC().Format(time.RFC3339)
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(table),
		Item: map[string]types.AttributeValue{
			"LockID": &types.AttributeValueMemberS{Value: id},
			"Holder": &types.AttributeValueMemberS{Value: holder},
			"Since":  &types.AttributeValueMemberS{Value: now},
		},
		ConditionExpression: aws.String("attribute_not_exists(LockID)"),
	})
	var taken *types.ConditionalCheckFailedException
	if errors.As(err, &taken) {
		who, since := "another deploy", "an unknown time"
		if got, gerr := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table),
			Key: map[string]types.AttributeValue{"LockID": &types.AttributeValueMemberS{Value: id}}}); gerr == nil {
			if v, ok := got.Item["Holder"].(*types.AttributeValueMemberS); ok {
				who = v.Value
			}
			if v, ok := got.Item["Since"].(*types.AttributeValueMemberS); ok {
				since = v.Value
			}
		}
		return nil, fmt.Errorf("deploy %s refused: %s is deploying it since %s (lock %q in table %s; delete that item if the deploy died)",
			env, who, since, id, table)
	}
	if err != nil {
		return nil, fmt.Errorf("deploy %s: taking the deploy lock in table %s: %s", env, table, awsenv.Explain(err))
	}
	return func(ctx context.Context) error {
		_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table),
			Key: map[string]types.AttributeValue{"LockID": &types.AttributeValueMemberS{Value: id}}})
		if err != nil {
			return fmt.Errorf("releasing the deploy lock %q: %s", id, awsenv.Explain(err))
		}
		return nil
	}, nil
}
