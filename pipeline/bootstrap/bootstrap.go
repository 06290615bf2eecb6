// Package bootstrap creates what Terraform needs before its first `init`: the S3 bucket that holds the state and
// the DynamoDB table that locks it. It replaces the runbook's manual first step and is safe to run on every
// pipeline run: each property is read first and only what differs is changed, so a second run changes nothing
// and a bucket someone loosened by hand (versioning suspended, public access block removed) is put back.
package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Options name the state backend.
type Options struct {
	// Bucket is the S3 bucket for Terraform state.
	Bucket string
	// LockTable is the DynamoDB table for Terraform's state lock (partition key LockID).
	LockTable string
	// Region is where the bucket lives. Empty: the S3 client's region.
	Region string
	// KMSKeyID, when set, encrypts the bucket by default with this KMS key (aws:kms); empty means SSE-S3 (AES256).
	KMSKeyID string
	// Progress receives one line per check or change. Nil: discarded.
	Progress io.Writer
	// WaitTimeout bounds the wait for the lock table to become ACTIVE. Default 5 minutes.
	WaitTimeout time.Duration
	// AllowPlainHTTP skips the policy that denies non-TLS access: for emulators (LocalStack, moto) served over
	// plain HTTP, which enforce bucket policies too. Never for real AWS.
	AllowPlainHTTP bool
}

// Result says what Ensure did.
type Result struct {
	// Changes lists what was created or changed, in order, e.g. "bucket tf-state: versioning enabled".
	Changes []string
	// InPlace lists what was already as it should be.
	InPlace []string
}

// NothingToDo is true when everything was already in place.
func (r Result) NothingToDo() bool { return len(r.Changes) == 0 }

// String is a one-line summary: "nothing to do (...)" or the changes.
func (r Result) String() string {
	if r.NothingToDo() {
		return fmt.Sprintf("nothing to do: state backend already in place (%d checks)", len(r.InPlace))
	}
	return fmt.Sprintf("%d change(s): %s", len(r.Changes), strings.Join(r.Changes, "; "))
}

// run carries one Ensure call's options and what it has done so far.
type run struct {
	o         Options
	w         io.Writer
	res       Result
	partition string
}

// printf writes to the progress writer. Progress is best-effort: a failed write must not fail the bootstrap.
func (r *run) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(r.w, format, args...)
}

func (r *run) changed(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.res.Changes = append(r.res.Changes, s)
	r.printf("  changed   %s\n", s)
}

func (r *run) ok(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.res.InPlace = append(r.res.InPlace, s)
	r.printf("  in place  %s\n", s)
}

// Ensure makes the state bucket and lock table exist with the required settings. Invalid names fail before any
// call to AWS. The Result lists what was created or changed; on error it lists what was done before the failure.
func Ensure(ctx context.Context, s3c S3API, ddb DynamoDBAPI, o Options) (Result, error) {
	if o.Region == "" {
		if c, ok := s3c.(interface{ Options() s3.Options }); ok {
			o.Region = c.Options().Region
		}
	}
	if err := validate(o); err != nil {
		return Result{}, err
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = 5 * time.Minute
	}
	r := &run{o: o, w: o.Progress, partition: partition(o.Region)}
	if r.w == nil {
		r.w = io.Discard
	}
	r.printf("state backend: bucket %s, lock table %s (%s)\n", o.Bucket, o.LockTable, o.Region)
	steps := []func(context.Context, S3API) error{
		r.ensureBucket, r.ensureVersioning, r.ensureEncryption, r.ensurePublicAccessBlock, r.ensureTLSPolicy,
	}
	if o.AllowPlainHTTP {
		steps = steps[:len(steps)-1]
	}
	for _, step := range steps {
		if err := step(ctx, s3c); err != nil {
			return r.res, err
		}
	}
	if err := r.ensureLockTable(ctx, ddb); err != nil {
		return r.res, err
	}
	if err := r.ensureLeaseExpiry(ctx, ddb); err != nil {
		return r.res, err
	}
	if r.res.NothingToDo() {
		r.printf("%s\n", r.res.String())
	} else {
		r.printf("state backend ready: %d change(s)\n", len(r.res.Changes))
	}
	return r.res, nil
}

var (
	bucketChars = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	tableChars  = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	regionChars = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
)

// validate checks names against S3's and DynamoDB's rules, so a typo is one line before anything is created.
func validate(o Options) error {
	if err := validBucket(o.Bucket); err != nil {
		return err
	}
	if !tableChars.MatchString(o.LockTable) {
		return fmt.Errorf("lock table name %q is invalid: 3 to 255 letters, digits, '_', '-' and '.'", o.LockTable)
	}
	if !regionChars.MatchString(o.Region) {
		return fmt.Errorf("region %q is invalid: pass a region such as eu-west-1", o.Region)
	}
	return nil
}

func validBucket(b string) error {
	const rules = "3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
	switch {
	case b == "":
		return errors.New("no state bucket given: pass a bucket name")
	case !bucketChars.MatchString(b):
		return fmt.Errorf("state bucket name %q is invalid: %s", b, rules)
	case strings.Contains(b, "..") || strings.Contains(b, ".-") || strings.Contains(b, "-."):
		return fmt.Errorf("state bucket name %q is invalid: no '..', '.-' or '-.'", b)
	case net.ParseIP(b) != nil:
		return fmt.Errorf("state bucket name %q is invalid: it must not look like an IP address", b)
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(b, p) {
			return fmt.Errorf("state bucket name %q is invalid: the prefix %q is reserved", b, p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(b, s) {
			return fmt.Errorf("state bucket name %q is invalid: the suffix %q is reserved", b, s)
		}
	}
	return nil
}

// partition is the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}
