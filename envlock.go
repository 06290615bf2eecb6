package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/pixelsandpetals/delivery/pipeline/release"
)

// lockEnvironment takes env's lock for operation (deploy, apply, publish, rollback): every function that changes
// an environment takes the same lock, so two of them never interleave. The lock is a lease the call renews while
// it runs; a killed run's lock expires by itself and the next run takes it over, saying whose it was. The holder
// is the AWS identity the call runs as (a GitHub job's role session names its run), so a refused user knows whom
// to ask. The returned func releases the lock; a failure to release is a warning, not a failure of what already
// happened.
func (m *Delivery) lockEnvironment(ctx context.Context, t *target, operation, what string, breakLock bool) (func(), error) {
	holder := t.identity.ARN
	if what != "" {
		holder += " (" + what + ")"
	}
	l, err := release.AcquireLock(ctx, dynamodb.NewFromConfig(t.cfg), release.LockOptions{Table: t.backend["dynamodb_table"],
		Env: t.env, Operation: operation, Holder: holder, Break: breakLock})
	if err != nil {
		return nil, err
	}
	if note := l.TookOver(); note != "" {
		fmt.Fprintf(os.Stderr, "%s %s: %s\n", operation, t.env, note)
	}
	return func() {
		if err := l.Release(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintf(os.Stderr, "%s %s: warning: %v\n", operation, t.env, err)
		}
	}, nil
}
