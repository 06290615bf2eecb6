package release

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// renew extends the lease every third of it until Release (l.stop) or until ctx is done. Every third, so that two
// renewals in a row may fail (a network blip, a throttled call) before the lease lapses. It stops for good once
// the lock is found to be someone else's: renewing is conditional on our token, so it can never extend, or
// recreate, a lock another run took over.
func (l *HeldLock) renew(ctx context.Context) {
	defer close(l.renewed)
	// Release must not wait for a renewal call in flight: stopping cancels it.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-l.stop:
			cancel()
		case <-ctx.Done():
		}
	}()

	every := l.o.Lease / 3
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if !l.renewOnce(ctx, every) {
			return
		}
	}
}

// renewOnce sets Expires to now+lease if the lock is still ours. It returns false once the lock is not ours any
// more (recorded for Lost and Release). Any other failure is left to the next tick: the lease has slack for it, and
// a later renewal still succeeds if nobody took the lock meanwhile. Each call is bounded by timeout.
func (l *HeldLock) renewOnce(ctx context.Context, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := l.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(l.o.Table),
		Key:                      l.key(),
		UpdateExpression:         aws.String("SET #e = :exp"),
		ConditionExpression:      aws.String("#t = :mine"),
		ExpressionAttributeNames: map[string]string{"#e": "Expires", "#t": "Token"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":exp":  num(expiry(l.o.Now(), l.o.Lease)),
			":mine": str(l.token),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var taken *types.ConditionalCheckFailedException
	if !errors.As(err, &taken) {
		return true
	}
	h := parseHolding(taken.Item)
	l.mu.Lock()
	l.lost = &h
	l.mu.Unlock()
	return false
}
