package release

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
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
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// DefaultLease is how long a lock stays held without renewal. The holder renews every third of it, so a live run
// keeps its lock through two missed renewals (a slow network, a paused runner), while a run that was killed frees
// the environment a couple of minutes later instead of never. Leases compare the clocks of different runners, so
// a lease must be long against their skew (seconds): minutes, not seconds, outside tests.
const DefaultLease = 2 * time.Minute

// LockOptions says which environment's lock to take, for what and by whom.
type LockOptions struct {
	// Table is the DynamoDB table of the lock: Terraform's state lock table, so the lock needs no extra resource.
	Table string
	// Env is the environment. There is one lock per environment ("deploy/<env>") shared by every operation that
	// changes it (deploy, apply, publish, rollback): any two of them interleaving is what the lock prevents.
	Env string
	// Operation is what the holder is doing ("deploy", "apply", "publish", "rollback"), shown to whoever is refused.
	Operation string
	// Holder identifies the run to a human, e.g. "GitHub run 123 (deploy.yml) by alice". It is all a refused user
	// has to decide whether that run is alive, so make it findable.
	Holder string
	// Lease is how long the lock lasts unless renewed; 0 means DefaultLease, and at least 1s.
	Lease time.Duration
	// Break takes the lock even while another run's lease is live. It is for a run known to be dead whose lease has
	// not run out yet (or a lock left by an older pipeline without a lease); a live holder loses its lock and finds
	// out when it renews or releases.
	Break bool
	// Now is the clock, for tests; nil means time.Now.
	Now func() time.Time
}

// HeldLock is a held environment lock. The lock is a lease: a goroutine renews it until Release (or until the context
// given to AcquireLock is done), so a run that dies without releasing blocks the environment only until its lease
// expires.
type HeldLock struct {
	// TookOverFrom is the holder of the lock this acquisition replaced: one whose lease had expired, or, with Break,
	// a live one. It is "" when the lock was free.
	TookOverFrom string
	// TookOverOperation is what that holder was doing.
	TookOverOperation string
	// StaleFor is how long the replaced lock's lease had been expired; 0 when it was broken while live.
	StaleFor time.Duration
	// Broke is true when Break replaced a lock whose lease was still live (or that had no lease); HeldFor is then
	// how long that lock had been held (0 if unknown).
	Broke   bool
	HeldFor time.Duration

	noLease   bool // the replaced lock had no Expires (an older pipeline's)
	db        LockAPI
	o         LockOptions
	id, token string

	stop    chan struct{} // closed by Release: stops the renewal
	renewed chan struct{} // closed when the renewal goroutine has returned

	mu   sync.Mutex
	lost *holding // set by the renewal when the lock is no longer ours; nil while it is

	releaseOnce sync.Once
	releaseErr  error
}

// holding is what a lock item says about its holder.
type holding struct {
	Holder, Operation, Since, Token string
	Expires                         int64 // Unix seconds; 0 if the item has none (a lock from an older pipeline)
	exists                          bool
}

// AcquireLock takes the environment's lock (item LockID "deploy/<env>" in o.Table) for o.Operation, or refuses in
// one line naming the run that holds it. A lock whose lease expired (its holder died and stopped renewing) is taken
// over; the returned HeldLock says whose (TookOver). The lease is renewed in the background until Release or until ctx
// is done; cancelling ctx without Release therefore behaves like a killed run: the lock lingers until its lease runs
// out.
func AcquireLock(ctx context.Context, db LockAPI, o LockOptions) (*HeldLock, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.Lease == 0 {
		o.Lease = DefaultLease
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Holder, o.Operation = oneLine(o.Holder), oneLine(o.Operation)
	token, err := newToken()
	if err != nil {
		return nil, fmt.Errorf("%s %s: taking the %s lock: %v", o.Operation, o.Env, o.Env, err)
	}
	l := &HeldLock{db: db, o: o, id: "deploy/" + o.Env, token: token,
		stop: make(chan struct{}), renewed: make(chan struct{})}

	now := o.Now()
	in := &dynamodb.PutItemInput{
		TableName: aws.String(o.Table),
		Item: map[string]types.AttributeValue{
			"LockID":    str(l.id),
			"Holder":    str(o.Holder),
			"Operation": str(o.Operation),
			"Since":     str(now.UTC().Format(time.RFC3339)),
			"Token":     str(token),
			"Expires":   num(expiry(now, o.Lease)),
		},
		// The old item comes back so the user learns whose lock was replaced, read in the same atomic write.
		ReturnValues: types.ReturnValueAllOld,
	}
	if !o.Break {
		// Free, or its lease has run out. An item without Expires (from a pipeline before leases) never satisfies
		// this: it is refused and needs Break, rather than being stolen from a run that may be alive.
		in.ConditionExpression = aws.String("attribute_not_exists(LockID) OR #e < :now")
		in.ExpressionAttributeNames = map[string]string{"#e": "Expires"}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":now": num(now.Unix())}
		in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	out, err := db.PutItem(ctx, in)
	var taken *types.ConditionalCheckFailedException
	if errors.As(err, &taken) {
		h := parseHolding(taken.Item)
		if !h.exists {
			// Not every DynamoDB answers with the item; ask for it.
			h = l.read(ctx)
		}
		return nil, refusal(o, h, now)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: taking the %s lock (%s in table %s): %s", o.Operation, o.Env, o.Env, l.id, o.Table,
			awsenv.Explain(err))
	}
	if old := parseHolding(out.Attributes); old.exists {
		l.TookOverFrom, l.TookOverOperation = old.Holder, old.Operation
		if old.Expires != 0 && old.Expires < now.Unix() {
			l.StaleFor = now.Sub(time.Unix(old.Expires, 0))
		} else {
			l.Broke, l.noLease = true, old.Expires == 0
			if since, err := time.Parse(time.RFC3339, old.Since); err == nil {
				l.HeldFor = now.Sub(since)
			}
		}
	}
	go l.renew(ctx)
	return l, nil
}

// TookOver is "" when the lock was free, otherwise one line about the lock this acquisition replaced, for the
// caller to print: an expired lease is routine (a killed run), a broken live one deserves attention.
func (l *HeldLock) TookOver() string {
	if l.TookOverFrom == "" {
		return ""
	}
	what := ""
	if l.TookOverOperation != "" {
		what = " (" + l.TookOverOperation + ")"
	}
	if !l.Broke {
		return fmt.Sprintf("took over the %s lock of %s%s, whose lease expired %s ago", l.o.Env, l.TookOverFrom, what,
			human(l.StaleFor))
	}
	held := "for an unknown time"
	if l.HeldFor > 0 {
		held = "for " + human(l.HeldFor)
	}
	lease := "with its lease still live"
	if l.noLease {
		lease = "without a lease"
	}
	return fmt.Sprintf("broke the %s lock of %s%s, held %s %s", l.o.Env, l.TookOverFrom, what, held, lease)
}

// Lost is nil while the lock is (as far as the last renewal knows) ours, and otherwise says who took it over. A
// caller may check it before a step that must not run unlocked; Release reports it in any case.
func (l *HeldLock) Lost() error {
	l.mu.Lock()
	h := l.lost
	l.mu.Unlock()
	if h == nil {
		return nil
	}
	return l.takenOver("holding", *h)
}

// Release stops the renewal and deletes the lock, but only if it is still ours: the delete is conditional on this
// acquisition's token, because a run whose lease lapsed or was broken must not free the lock of the run that took it
// over (an unconditional delete would let a third run in beside it). If the lock was taken over, Release leaves it
// and returns an error naming the new holder. Calling Release again returns the first result.
func (l *HeldLock) Release(ctx context.Context) error {
	l.releaseOnce.Do(func() {
		close(l.stop)
		<-l.renewed
		_, err := l.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName:                           aws.String(l.o.Table),
			Key:                                 l.key(),
			ConditionExpression:                 aws.String("#t = :mine"),
			ExpressionAttributeNames:            map[string]string{"#t": "Token"},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":mine": str(l.token)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		var taken *types.ConditionalCheckFailedException
		switch {
		case errors.As(err, &taken):
			h := parseHolding(taken.Item)
			if !h.exists {
				h = l.read(ctx)
			}
			l.releaseErr = l.takenOver("releasing", h)
		case err != nil:
			l.releaseErr = fmt.Errorf("%s %s: releasing the %s lock (%s in table %s): %s; it frees itself when its lease "+
				"expires", l.o.Operation, l.o.Env, l.o.Env, l.id, l.o.Table, awsenv.Explain(err))
		}
	})
	return l.releaseErr
}

// takenOver is the one-line error for a lock that is no longer ours, h being what the table holds now.
func (l *HeldLock) takenOver(doing string, h holding) error {
	if !h.exists {
		return fmt.Errorf("%s %s: %s the %s lock: it is no longer ours: its lease lapsed or was broken, and the lock "+
			"has since been released by whoever took it", l.o.Operation, l.o.Env, doing, l.o.Env)
	}
	return fmt.Errorf("%s %s: %s the %s lock: it was taken over by %s (%s since %s): our lease lapsed or was broken; "+
		"left their lock in place", l.o.Operation, l.o.Env, doing, l.o.Env, orUnknown(h.Holder), orUnknown(h.Operation),
		orUnknown(h.Since))
}

// refusal is the one-line error for a lock held under a live lease (or without a lease).
func refusal(o LockOptions, h holding, now time.Time) error {
	if !h.exists {
		// Gone between the write and the read: released just now.
		return fmt.Errorf("%s %s refused: the %s lock was busy and has just been released; try again", o.Operation,
			o.Env, o.Env)
	}
	lease := "no lease: taken by an older pipeline, it never expires"
	if h.Expires != 0 {
		left := time.Unix(h.Expires, 0).Sub(now)
		if left < 0 {
			left = 0
		}
		lease = "lease renewed, expires in " + left.Round(time.Second).String()
	}
	return fmt.Errorf("%s %s refused: %s holds the %s lock for %s since %s (%s); wait, or pass --break-lock if that "+
		"run is dead", o.Operation, o.Env, orUnknown(h.Holder), o.Env, orUnknown(h.Operation), orUnknown(h.Since), lease)
}

// read fetches the lock item; a failed read is reported as an unknown holder rather than hiding the refusal.
func (l *HeldLock) read(ctx context.Context) holding {
	got, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(l.o.Table), Key: l.key(),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return holding{exists: true}
	}
	return parseHolding(got.Item)
}

func (l *HeldLock) key() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"LockID": str(l.id)}
}

func (o LockOptions) validate() error {
	var missing []string
	for _, f := range []struct{ name, v string }{{"Table", o.Table}, {"Env", o.Env}, {"Operation", o.Operation},
		{"Holder", o.Holder}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("taking the deploy lock: LockOptions.%s must be set", strings.Join(missing, ", "))
	}
	if o.Lease != 0 && o.Lease < time.Second {
		// Expires is in whole seconds (it is also the TTL attribute): a shorter lease cannot be kept.
		return fmt.Errorf("taking the %s lock: lease %s is shorter than the 1s minimum", o.Env, o.Lease)
	}
	return nil
}

func parseHolding(item map[string]types.AttributeValue) holding {
	if len(item) == 0 {
		return holding{}
	}
	h := holding{exists: true}
	s := func(name string) string {
		if v, ok := item[name].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	h.Holder, h.Operation, h.Since, h.Token = s("Holder"), s("Operation"), s("Since"), s("Token")
	if v, ok := item["Expires"].(*types.AttributeValueMemberN); ok {
		h.Expires, _ = strconv.ParseInt(v.Value, 10, 64)
	}
	return h
}

// expiry is the lease's end in Unix seconds, rounded up: Expires doubles as the table's TTL attribute, which
// DynamoDB wants in whole seconds, and rounding up never cuts a lease short.
func expiry(now time.Time, lease time.Duration) int64 {
	end := now.Add(lease)
	s := end.Unix()
	if end.After(time.Unix(s, 0)) {
		s++
	}
	return s
}

func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a lock token: %v", err)
	}
	return hex.EncodeToString(b), nil
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// oneLine keeps free text (a holder's name) from breaking the one-line errors it is quoted in.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// human is a duration for a sentence: "42s", "3m", "3m5s", "1h2m".
func human(d time.Duration) string {
	switch {
	case d < time.Second:
		return "0s"
	case d < time.Hour:
		d = d.Round(time.Second)
	default:
		d = d.Round(time.Minute)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
