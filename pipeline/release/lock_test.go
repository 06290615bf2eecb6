package release_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/bootstrap"
	"github.com/pixelsandpetals/delivery/pipeline/release"
)

func TestLock_SecondDeployOfTheSameEnvironmentIsRefusedNamingTheHolder(t *testing.T) {
	ctx := context.Background()
	cfg := testkit.StartMoto(t).Config(t)
	db := dynamodb.NewFromConfig(cfg)
	if _, err := bootstrap.Ensure(ctx, awsenv.S3(cfg), db, bootstrap.Options{Bucket: "pp-state", LockTable: "pp-locks", Region: testkit.Region}); err != nil {
		t.Fatal(err)
	}
	unlock, err := release.Lock(ctx, db, "pp-locks", "prod", "run 41 by alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := release.Lock(ctx, db, "pp-locks", "prod", "run 42 by bob"); err == nil ||
		!strings.Contains(err.Error(), "run 41 by alice") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("want one line naming the holder, got %v", err)
	}
	if _, err := release.Lock(ctx, db, "pp-locks", "dev", "run 43"); err != nil {
		t.Fatalf("another environment must not be blocked: %v", err)
	}
	if err := unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := release.Lock(ctx, db, "pp-locks", "prod", "run 42 by bob"); err != nil {
		t.Fatalf("after release the lock must be free: %v", err)
	}
}
