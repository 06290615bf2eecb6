package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// S3API is the part of the S3 client Ensure needs; *s3.Client implements it.
type S3API interface {
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, optFns ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	CreateBucket(ctx context.Context, in *s3.CreateBucketInput, optFns ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, optFns ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	PutBucketVersioning(ctx context.Context, in *s3.PutBucketVersioningInput, optFns ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error)
	GetBucketEncryption(ctx context.Context, in *s3.GetBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	PutBucketEncryption(ctx context.Context, in *s3.PutBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error)
	GetPublicAccessBlock(ctx context.Context, in *s3.GetPublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	PutPublicAccessBlock(ctx context.Context, in *s3.PutPublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error)
	GetBucketPolicy(ctx context.Context, in *s3.GetBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	PutBucketPolicy(ctx context.Context, in *s3.PutBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error)
}

// errCode is the AWS error code of err, "" if it has none.
func errCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func (r *run) fail(what string, err error) error {
	return fmt.Errorf("state bucket %q: %s: %s", r.o.Bucket, what, awsenv.Explain(err))
}

// ensureBucket creates the bucket unless this account already owns it. us-east-1 takes no location constraint.
func (r *run) ensureBucket(ctx context.Context, c S3API) error {
	b := r.o.Bucket
	head, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b)})
	var notFound *s3types.NotFound
	switch {
	case err == nil:
		if got := aws.ToString(head.BucketRegion); got != "" && got != r.o.Region {
			return fmt.Errorf("state bucket %q is in region %s, not %s: pass region %s or another bucket name", b, got, r.o.Region, got)
		}
		r.ok("bucket %s exists", b)
		return nil
	case errors.As(err, &notFound) || errCode(err) == "NotFound" || errCode(err) == "NoSuchBucket":
	case errCode(err) == "Forbidden" || errCode(err) == "AccessDenied" || errCode(err) == "403":
		return fmt.Errorf("state bucket %q exists but this account may not use it (403): S3 bucket names are global, choose another name or check the bucket policy", b)
	default:
		return r.fail("checking whether it exists", err)
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(b)}
	if r.o.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(r.o.Region),
		}
	}
	_, err = c.CreateBucket(ctx, in)
	var owned *s3types.BucketAlreadyOwnedByYou
	var taken *s3types.BucketAlreadyExists
	switch {
	case err == nil:
		r.changed("bucket %s created in %s", b, r.o.Region)
	case errors.As(err, &owned):
		r.ok("bucket %s exists", b)
	case errors.As(err, &taken):
		return fmt.Errorf("state bucket %q belongs to another AWS account: S3 bucket names are global, choose another name", b)
	default:
		return r.fail("creating it", err)
	}
	return nil
}

func (r *run) ensureVersioning(ctx context.Context, c S3API) error {
	b := aws.String(r.o.Bucket)
	got, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	if err != nil {
		return r.fail("reading versioning", err)
	}
	if got.Status == s3types.BucketVersioningStatusEnabled {
		r.ok("bucket %s: versioning enabled", r.o.Bucket)
		return nil
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	if err != nil {
		return r.fail("enabling versioning", err)
	}
	was := string(got.Status)
	if was == "" {
		was = "never enabled"
	}
	r.changed("bucket %s: versioning enabled (was %s)", r.o.Bucket, strings.ToLower(was))
	return nil
}

// ensureEncryption wants default encryption: with the given KMS key, or any (SSE-S3 or KMS) when no key is given,
// so a bucket someone moved to KMS is not downgraded.
func (r *run) ensureEncryption(ctx context.Context, c S3API) error {
	b := aws.String(r.o.Bucket)
	got, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil && errCode(err) != "ServerSideEncryptionConfigurationNotFoundError" {
		return r.fail("reading default encryption", err)
	}
	current := "none"
	if err == nil && got.ServerSideEncryptionConfiguration != nil {
		for _, rule := range got.ServerSideEncryptionConfiguration.Rules {
			d := rule.ApplyServerSideEncryptionByDefault
			if d == nil || d.SSEAlgorithm == "" {
				continue
			}
			if r.encryptionOK(d) {
				r.ok("bucket %s: default encryption %s", r.o.Bucket, d.SSEAlgorithm)
				return nil
			}
			current = string(d.SSEAlgorithm)
			if k := aws.ToString(d.KMSMasterKeyID); k != "" {
				current += " with key " + k
			}
		}
	}
	def := &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}
	want := "AES256"
	if r.o.KMSKeyID != "" {
		def = &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(r.o.KMSKeyID)}
		want = "aws:kms with key " + r.o.KMSKeyID
	}
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b,
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: def, BucketKeyEnabled: aws.Bool(r.o.KMSKeyID != ""),
		}}}})
	if err != nil {
		return r.fail("setting default encryption", err)
	}
	r.changed("bucket %s: default encryption %s (was %s)", r.o.Bucket, want, current)
	return nil
}

// encryptionOK: without a key any default encryption will do; with one, KMS with that key.
func (r *run) encryptionOK(d *s3types.ServerSideEncryptionByDefault) bool {
	if r.o.KMSKeyID == "" {
		return true
	}
	return d.SSEAlgorithm != s3types.ServerSideEncryptionAes256 && sameKey(aws.ToString(d.KMSMasterKeyID), r.o.KMSKeyID)
}

// sameKey compares KMS key references loosely: S3 may report the ARN of a key given by id, or the other way round.
func sameKey(a, b string) bool {
	return a == b || strings.HasSuffix(a, "/"+b) || strings.HasSuffix(b, "/"+a)
}

func (r *run) ensurePublicAccessBlock(ctx context.Context, c S3API) error {
	b := aws.String(r.o.Bucket)
	got, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	if err != nil && errCode(err) != "NoSuchPublicAccessBlockConfiguration" {
		return r.fail("reading the public access block", err)
	}
	var off []string
	if err != nil || got.PublicAccessBlockConfiguration == nil {
		off = []string{"no public access block"}
	} else {
		p := got.PublicAccessBlockConfiguration
		for name, v := range map[string]*bool{"BlockPublicAcls": p.BlockPublicAcls, "IgnorePublicAcls": p.IgnorePublicAcls,
			"BlockPublicPolicy": p.BlockPublicPolicy, "RestrictPublicBuckets": p.RestrictPublicBuckets} {
			if !aws.ToBool(v) {
				off = append(off, name+" off")
			}
		}
	}
	if len(off) == 0 {
		r.ok("bucket %s: public access blocked", r.o.Bucket)
		return nil
	}
	_, err = c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b,
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true),
			IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
	if err != nil {
		return r.fail("blocking public access", err)
	}
	slices.Sort(off)
	r.changed("bucket %s: public access blocked (was: %s)", r.o.Bucket, strings.Join(off, ", "))
	return nil
}
