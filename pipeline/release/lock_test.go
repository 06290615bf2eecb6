package release_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/bootstrap"
	"github.com/pixelsandpetals/delivery/pipeline/release"
)

const lockTable = "pp-locks"

// lockDB is a moto with the state backend's lock table, made the way the pipeline makes it.
func lockDB(t *testing.T) *dynamodb.Client {
	t.Helper()
	cfg := testkit.StartMoto(t).Config(t)
	db := dynamodb.NewFromConfig(cfg)
	if _, err := bootstrap.Ensure(context.Background(), awsenv.S3(cfg), db,
		bootstrap.Options{Bucket: "pp-state", LockTable: lockTable, Region: testkit.Region}); err != nil {
		t.Fatal(err)
	}
	return db
}

func acquire(t *testing.T, ctx context.Context, db release.LockAPI, o release.LockOptions) *release.HeldLock {
	t.Helper()
	o.Table = lockTable
	l, err := release.AcquireLock(ctx, db, o)
	if err != nil {
		t.Fatalf("%s of %s by %s: %v", o.Operation, o.Env, o.Holder, err)
	}
	return l
}

func try(ctx context.Context, db release.LockAPI, o release.LockOptions) (*release.HeldLock, error) {
	o.Table = lockTable
	return release.AcquireLock(ctx, db, o)
}

func item(t *testing.T, db *dynamodb.Client, env string) map[string]types.AttributeValue {
	t.Helper()
	got, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(lockTable),
		Key: map[string]types.AttributeValue{"LockID": &types.AttributeValueMemberS{Value: "deploy/" + env}}})
	if err != nil {
		t.Fatal(err)
	}
	return got.Item
}

func attr(it map[string]types.AttributeValue, name string) string {
	switch v := it[name].(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	}
	return ""
}

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

func oneLine(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.ContainsAny(err.Error(), "\r\n") {
		t.Fatalf("error must be one line: %q", err)
	}
}

func TestLock_SecondRunIsRefusedInOneLineNamingHolderOperationAndLease_OtherEnvironmentsAreNot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := lockDB(t)
	now := time.Now().Truncate(time.Second)
	alice := acquire(t, ctx, db, release.LockOptions{Env: "prod", Operation: "apply",
		Holder: "GitHub run 41 (deploy.yml)\nby alice", Lease: 100 * time.Second, Now: at(now)})
	if alice.TookOver() != "" {
		t.Fatalf("a free lock replaces nobody, got %q", alice.TookOver())
	}

	_, err := try(ctx, db, release.LockOptions{Env: "prod", Operation: "deploy", Holder: "run 42 by bob", Now: at(now)})
	want := "deploy prod refused: GitHub run 41 (deploy.yml) by alice holds the prod lock for apply since " +
		now.UTC().Format(time.RFC3339) + " (lease renewed, expires in 1m40s); wait, or pass --break-lock if that run is dead"
	if err == nil || err.Error() != want {
		t.Fatalf("refusal:\n got %v\nwant %s", err, want)
	}

	dev := acquire(t, ctx, db, release.LockOptions{Env: "dev", Operation: "publish", Holder: "run 43 by carol"})
	if err := dev.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := alice.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := alice.Release(ctx); err != nil {
		t.Fatalf("a second Release must be harmless: %v", err)
	}
	bob := acquire(t, ctx, db, release.LockOptions{Env: "prod", Operation: "deploy", Holder: "run 42 by bob"})
	if bob.TookOver() != "" {
		t.Fatalf("a released lock is free, not taken over: %q", bob.TookOver())
	}
	_ = bob.Release(ctx)
}

func TestLock_LiveHolderKeepsItsLockPastSeveralLeasePeriods(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := lockDB(t)
	const lease = 1500 * time.Millisecond
	alice := acquire(t, ctx, db, release.LockOptions{Env: "prod", Operation: "deploy", Holder: "run 41 by alice",
		Lease: lease})
	// Four lease periods: without renewal the lock would be up for grabs after the first.
	for end := time.Now().Add(4 * lease); time.Now().Before(end); time.Sleep(300 * time.Millisecond) {
		if l, err := try(ctx, db, release.LockOptions{Env: "prod", Operation: "deploy", Holder: "run 42 by bob",
			Lease: lease}); err == nil {
			t.Fatalf("a live holder's lock was taken: %s", l.TookOver())
		} else if !strings.Contains(err.Error(), "run 41 by alice holds the prod lock") {
			t.Fatalf("want a refusal naming alice, got %v", err)
		}
	}
	if err := alice.Lost(); err != nil {
		t.Fatalf("the holder must still hold its lock: %v", err)
	}
	if err := alice.Release(ctx); err != nil {
		t.Fatal(err)
	}
	_ = acquire(t, ctx, db, release.LockOptions{Env: "prod", Operation: "deploy", Holder: "run 42 by bob"}).Release(ctx)
}

func TestLock_KilledHolderIsTakenOverOnceItsLeaseExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := lockDB(t)

	// A run killed mid-deploy: its renewal stops (its context ends) and it never releases.
	const lease = 1500 * time.Millisecond
	runCtx, kill := context.WithCancel(ctx)
	dead := acquire(t, runCtx, db, release.LockOptions{Env: "dev", Operation: "deploy", Holder: "run 41 by alice",
		Lease: lease})
	kill()
	if _, err := try(ctx, db, release.LockOptions{Env: "dev", Operation: "deploy", Holder: "run 42 by bob"}); err == nil {
		t.Fatal("the lease has not expired yet: the lock must still be refused")
	}
	var bob *release.HeldLock
	deadline := time.Now().Add(10 * time.Second) // lease + whole-second rounding of Expires, with room
	for bob == nil {
		if time.Now().After(deadline) {
			t.Fatal("the dead holder's lock was not taken over within 10s of its lease")
		}
		time.Sleep(250 * time.Millisecond)
		bob, _ = try(ctx, db, release.LockOptions{Env: "dev", Operation: "deploy", Holder: "run 42 by bob", Lease: lease})
	}
	if bob.TookOverFrom != "run 41 by alice" || bob.Broke || bob.StaleFor <= 0 ||
		!strings.HasPrefix(bob.TookOver(), "took over the dev lock of run 41 by alice (deploy), whose lease expired ") {
		t.Fatalf("want a take-over naming the dead holder, got %+v: %q", bob, bob.TookOver())
	}
	// Had the "dead" run only been slow, its late Release must not free bob's lock.
	if err := dead.Release(ctx); err == nil || !strings.Contains(err.Error(), "taken over by run 42 by bob") {
		t.Fatalf("want the late release refused naming bob, got %v", err)
	}
	if err := bob.Release(ctx); err != nil {
		t.Fatal(err)
	}

	// The line the caller prints, on a clock: the lease ran out 3 minutes ago.
	now := time.Now().Truncate(time.Second)
	gone, cancel := context.WithCancel(ctx)
	acquire(t, gone, db, release.LockOptions{Env: "qa", Operation: "rollback", Holder: "GitHub run 7 by dan",
		Lease: 2 * time.Minute, Now: at(now.Add(-5 * time.Minute))})
	cancel()
	carol := acquire(t, ctx, db, release.LockOptions{Env: "qa", Operation: "deploy", Holder: "run 8", Now: at(now)})
	if want := "took over the qa lock of GitHub run 7 by dan (rollback), whose lease expired 3m ago"; carol.TookOver() != want {
		t.Fatalf("\n got %q\nwant %q", carol.TookOver(), want)
	}
	_ = carol.Release(ctx)
}

func TestLock_ReleaseDeletesOnlyItsOwnLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := lockDB(t)
	alice := acquire(t, ctx, db, release.LockOptions{Env: "prod", Operation: "deploy", Holder: "run 41 by alice",
		Lease: 1500 * time.Millisecond})
	bob := acquire(t, ctx, db, release.LockOptions{Env: "prod", Operation: "rollback", Holder: "run 42 by bob",
		Break: true})
	if !bob.Broke || bob.TookOverFrom != "run 41 by alice" {
		t.Fatalf("want alice's live lock broken, got %+v", bob)
	}
	// Alice's renewal finds out (and, being conditional on her token, does not extend bob's lock).
	deadline := time.Now().Add(5 * time.Second)
	for alice.Lost() == nil {
		if time.Now().After(deadline) {
			t.Fatal("the renewal did not notice within 5s that the lock was taken over")
		}
		time.Sleep(100 * time.Millisecond)
	}
	err := alice.Release(ctx)
	oneLine(t, err)
	if err == nil || !strings.Contains(err.Error(), "taken over by run 42 by bob (rollback since ") {
		t.Fatalf("want a release error naming bob, got %v", err)
	}
	if it := item(t, db, "prod"); attr(it, "Holder") != "run 42 by bob" {
		t.Fatalf("bob's lock must survive alice's release, table has %v", it)
	}
	if err := bob.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if it := item(t, db, "prod"); it != nil {
		t.Fatalf("bob's release must free the lock, table has %v", it)
	}
}

func TestLock_BreakTakesALiveLockAndNamesIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := lockDB(t)
	now := time.Now().Truncate(time.Second)
	acquire(t, ctx, db, release.LockOptions{Env: "prod", Operation: "apply", Holder: "GitHub run 41 by alice",
		Lease: 10 * time.Minute, Now: at(now.Add(-(5*time.Minute + 12*time.Second)))})
	bob := acquire(t, ctx, db, release.LockOptions{Env: "prod", Operation: "deploy", Holder: "run 42 by bob",
		Break: true, Now: at(now)})
	if want := "broke the prod lock of GitHub run 41 by alice (apply), held for 5m12s with its lease still live"; bob.TookOver() != want {
		t.Fatalf("\n got %q\nwant %q", bob.TookOver(), want)
	}
	if it := item(t, db, "prod"); attr(it, "Holder") != "run 42 by bob" || attr(it, "Operation") != "deploy" {
		t.Fatalf("the table must now hold bob's lock: %v", it)
	}
	if err := bob.Release(ctx); err != nil {
		t.Fatal(err)
	}
	free := acquire(t, ctx, db, release.LockOptions{Env: "prod", Operation: "deploy", Holder: "run 43", Break: true})
	if free.TookOver() != "" {
		t.Fatalf("breaking a free lock replaces nobody: %q", free.TookOver())
	}
	_ = free.Release(ctx)
}

func TestLock_LockLeftByTheOlderPipelineIsRefusedUntilBroken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := lockDB(t)
	// What the lock without a lease wrote: no Token, no Expires.
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(lockTable), Item: map[string]types.AttributeValue{
		"LockID": &types.AttributeValueMemberS{Value: "deploy/prod"},
		"Holder": &types.AttributeValueMemberS{Value: "deploy of v1.2.3"},
		"Since":  &types.AttributeValueMemberS{Value: "2024-01-02T03:04:05Z"},
	}}); err != nil {
		t.Fatal(err)
	}
	_, err := try(ctx, db, release.LockOptions{Env: "prod", Operation: "deploy", Holder: "run 42"})
	oneLine(t, err)
	if err == nil || !strings.Contains(err.Error(), "deploy of v1.2.3 holds the prod lock") ||
		!strings.Contains(err.Error(), "no lease") || !strings.Contains(err.Error(), "--break-lock") {
		t.Fatalf("want a refusal explaining the lease-less lock, got %v", err)
	}
	l := acquire(t, ctx, db, release.LockOptions{Env: "prod", Operation: "deploy", Holder: "run 42", Break: true})
	if tk := l.TookOver(); !strings.HasPrefix(tk, "broke the prod lock of deploy of v1.2.3, held for ") ||
		!strings.HasSuffix(tk, " without a lease") {
		t.Fatalf("got %q", l.TookOver())
	}
	_ = l.Release(ctx)
}

func TestLock_TableItemCarriesTheLeaseWithExpiresAsANumberForTTL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := lockDB(t)
	now := time.Now().Truncate(time.Second)
	first := acquire(t, ctx, db, release.LockOptions{Env: "dev", Operation: "publish", Holder: "run 41",
		Now: at(now)})
	it := item(t, db, "dev")
	exp, ok := it["Expires"].(*types.AttributeValueMemberN)
	if !ok || exp.Value != strconv.FormatInt(now.Add(release.DefaultLease).Unix(), 10) {
		t.Fatalf("Expires must be the Number now+lease in Unix seconds, got %#v", it["Expires"])
	}
	if attr(it, "Holder") != "run 41" || attr(it, "Operation") != "publish" ||
		attr(it, "Since") != now.UTC().Format(time.RFC3339) || len(attr(it, "Token")) < 16 {
		t.Fatalf("item %v", it)
	}
	token := attr(it, "Token")
	if err := first.Release(ctx); err != nil {
		t.Fatal(err)
	}
	second := acquire(t, ctx, db, release.LockOptions{Env: "dev", Operation: "publish", Holder: "run 41"})
	if attr(item(t, db, "dev"), "Token") == token {
		t.Fatal("each acquisition needs its own token, or a late release could free a later lock")
	}
	_ = second.Release(ctx)
}
