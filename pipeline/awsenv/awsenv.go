// Package awsenv turns what a user hands the pipeline (explicit keys, a GitHub OIDC token and role, or nothing —
// the standard chain) into an aws.Config with bounded retries and timeouts. An endpoint override (moto, LocalStack,
// a VPC endpoint) is ordinary configuration: the Endpoint option or the SDK's own AWS_ENDPOINT_URL variables.
package awsenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Options say where and as whom the pipeline talks to AWS. Zero values fall back to the SDK's standard sources
// (environment, shared config, instance role), so a laptop with a profile needs no options at all.
type Options struct {
	// Region, e.g. eu-west-1. Empty: AWS_REGION / the profile's region.
	Region string
	// AccessKeyID and SecretAccessKey (and SessionToken for temporary keys) are explicit credentials.
	AccessKeyID, SecretAccessKey, SessionToken string
	// RoleARN with WebIdentityToken assumes a role through STS AssumeRoleWithWebIdentity: GitHub OIDC.
	RoleARN, WebIdentityToken string
	// RoleSessionName names the assumed-role session in CloudTrail. Default "delivery".
	RoleSessionName string
	// Endpoint overrides every service's endpoint (moto, LocalStack). Empty: AWS_ENDPOINT_URL* or AWS itself.
	Endpoint string
	// MaxAttempts bounds retries of one call (default 5); a throttled deploy slows down, it does not hang.
	MaxAttempts int
}

// Load builds the aws.Config. It does not call AWS: use Verify for an early, readable credentials check.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	if (o.AccessKeyID == "") != (o.SecretAccessKey == "") {
		return aws.Config{}, errors.New("AWS credentials: an access key id needs its secret access key, and the other way round")
	}
	if (o.RoleARN == "") != (o.WebIdentityToken == "") {
		return aws.Config{}, errors.New("AWS credentials: a role ARN needs a web identity token (GitHub OIDC), and the other way round")
	}
	attempts := o.MaxAttempts
	if attempts <= 0 {
		attempts = 5
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = attempts
				so.MaxBackoff = 5 * time.Second
			})
		}),
		// No overall request timeout: a large upload may take minutes. Connecting and the first response byte are
		// bounded, so an unreachable endpoint fails in seconds instead of hanging.
		config.WithHTTPClient(awshttp.NewBuildableClient().
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = 5 * time.Second }).
			WithTransportOptions(func(tr *http.Transport) { tr.ResponseHeaderTimeout = 60 * time.Second })),
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(o.Endpoint))
	}
	if o.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(o.AccessKeyID, o.SecretAccessKey, o.SessionToken)))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("AWS region not set: pass a region or set AWS_REGION")
	}
	if o.RoleARN != "" {
		name := o.RoleSessionName
		if name == "" {
			name = "delivery"
		}
		provider := stscreds.NewWebIdentityRoleProvider(sts.NewFromConfig(cfg), o.RoleARN, token(o.WebIdentityToken),
			func(wo *stscreds.WebIdentityRoleOptions) { wo.RoleSessionName = name })
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	return cfg, nil
}

// token hands a web identity token held in memory (a Dagger secret) to the STS provider.
type token string

func (t token) GetIdentityToken() ([]byte, error) { return []byte(t), nil }

// Identity is who the pipeline acts as.
type Identity struct {
	Account, ARN string
}

// Verify resolves the credentials and asks STS who they belong to, so a deploy with missing, expired or wrong
// credentials, or an unreachable endpoint, stops before it changes anything, with one line that says which.
func Verify(ctx context.Context, cfg aws.Config) (Identity, error) {
	if cfg.Credentials == nil {
		return Identity{}, errors.New(NoCredentials)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return Identity{}, fmt.Errorf("%s (%s)", NoCredentials, Explain(err))
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("AWS credentials rejected: %s", Explain(err))
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}, nil
}

// NoCredentials is the one line a user without credentials sees.
const NoCredentials = "no AWS credentials: pass an access key id and secret access key, or a role ARN with a " +
	"web identity token (GitHub OIDC), or configure the standard AWS environment"

// S3 tunes an S3 client for the configured endpoint: emulators and custom endpoints need path-style addressing
// (bucket in the path, not the host name).
func S3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if cfg.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
	})
}
