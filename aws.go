package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// awsAccess is how the pipeline talks to AWS: credentials as secrets (never printed, never in a layer), or a
// GitHub OIDC token exchanged for a role, and optionally an endpoint (moto, LocalStack) reached as a service.
type awsAccess struct {
	AccessKeyID      *dagger.Secret
	SecretAccessKey  *dagger.Secret
	SessionToken     *dagger.Secret
	RoleARN          string
	WebIdentityToken *dagger.Secret
	Region           string
	Endpoint         *dagger.Service
}

// aws is the module's AWS access.
func (m *Delivery) aws() *awsAccess {
	return &awsAccess{AccessKeyID: m.AwsAccessKeyID, SecretAccessKey: m.AwsSecretAccessKey, SessionToken: m.AwsSessionToken,
		RoleARN: m.AwsRoleARN, WebIdentityToken: m.AwsWebIdentityToken, Region: m.AwsRegion, Endpoint: m.AwsEndpoint}
}

// plaintext reads an optional secret.
func plaintext(ctx context.Context, s *dagger.Secret) (string, error) {
	if s == nil {
		return "", nil
	}
	return s.Plaintext(ctx)
}

// options resolves the secrets and the endpoint into awsenv options, for the SDK in the module's own runtime.
func (a *awsAccess) options(ctx context.Context, region string) (awsenv.Options, error) {
	var o awsenv.Options
	var err error
	for _, f := range []struct {
		dst *string
		src *dagger.Secret
	}{{&o.AccessKeyID, a.AccessKeyID}, {&o.SecretAccessKey, a.SecretAccessKey}, {&o.SessionToken, a.SessionToken},
		{&o.WebIdentityToken, a.WebIdentityToken}} {
		if *f.dst, err = plaintext(ctx, f.src); err != nil {
			return o, fmt.Errorf("reading an AWS credential secret: %w", err)
		}
	}
	if o.AccessKeyID == "" && o.RoleARN == "" && a.RoleARN == "" {
		return o, errors.New(awsenv.NoCredentials)
	}
	o.RoleARN = a.RoleARN
	o.Region = a.Region
	if o.Region == "" {
		o.Region = region
	}
	if a.Endpoint != nil {
		ep, err := a.Endpoint.Endpoint(ctx, dagger.ServiceEndpointOpts{Scheme: "http"})
		if err != nil {
			return o, fmt.Errorf("AWS endpoint service: %s", firstLine(err))
		}
		o.Endpoint = ep
	}
	return o, nil
}

// config is a verified aws.Config and who it is: missing, expired or wrong credentials and an unreachable endpoint stop here,
// before anything is changed.
func (a *awsAccess) config(ctx context.Context, region string) (aws.Config, awsenv.Identity, error) {
	o, err := a.options(ctx, region)
	if err != nil {
		return aws.Config{}, awsenv.Identity{}, err
	}
	cfg, err := awsenv.Load(ctx, o)
	if err != nil {
		return aws.Config{}, awsenv.Identity{}, err
	}
	id, err := awsenv.Verify(ctx, cfg)
	if err != nil {
		return aws.Config{}, awsenv.Identity{}, err
	}
	return cfg, id, nil
}

// container gives a tool container (terraform) the same access: secrets as secret variables, the endpoint as a
// bound service named "aws".
func (a *awsAccess) container(ctx context.Context, c *dagger.Container, region string) (*dagger.Container, error) {
	if a.AccessKeyID != nil {
		c = c.WithSecretVariable("AWS_ACCESS_KEY_ID", a.AccessKeyID).
			WithSecretVariable("AWS_SECRET_ACCESS_KEY", a.SecretAccessKey)
	}
	if a.SessionToken != nil {
		c = c.WithSecretVariable("AWS_SESSION_TOKEN", a.SessionToken)
	}
	if a.RoleARN != "" && a.WebIdentityToken != nil {
		c = c.WithEnvVariable("AWS_ROLE_ARN", a.RoleARN).
			WithMountedSecret("/run/secrets/aws-web-identity-token", a.WebIdentityToken).
			WithEnvVariable("AWS_WEB_IDENTITY_TOKEN_FILE", "/run/secrets/aws-web-identity-token")
	}
	r := a.Region
	if r == "" {
		r = region
	}
	c = c.WithEnvVariable("AWS_REGION", r).WithEnvVariable("AWS_DEFAULT_REGION", r)
	if a.Endpoint != nil {
		ports, err := a.Endpoint.Ports(ctx)
		if err != nil || len(ports) == 0 {
			return nil, fmt.Errorf("AWS endpoint service has no port: %v", err)
		}
		port, err := ports[0].Port(ctx)
		if err != nil {
			return nil, err
		}
		c = c.WithServiceBinding("aws", a.Endpoint).
			WithEnvVariable("AWS_ENDPOINT_URL", fmt.Sprintf("http://aws:%d", port))
	}
	return c, nil
}
