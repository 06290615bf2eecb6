// Package ecr pushes the pipeline's image to a registry — ECR or any OCI registry — without the docker CLI: it
// logs in to ECR with the SDK, and pushes an image tarball or OCI layout only when the registry does not already
// hold that exact digest under the tag, so re-running a release against an ECR repository with immutable tags is a
// no-op instead of a failure. The ECR password never reaches an error, a log line or a %v of the authenticator.
package ecr

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// AuthorizationTokenAPI is the part of the ECR client Login needs.
type AuthorizationTokenAPI interface {
	GetAuthorizationToken(ctx context.Context, in *awsecr.GetAuthorizationTokenInput, optFns ...func(*awsecr.Options)) (*awsecr.GetAuthorizationTokenOutput, error)
}

// Credentials is the authenticator Login returns: basic credentials for a registry. Printing it (%v, %+v, %#v,
// JSON) shows the registry, user and expiry, never the password; only Authorization, which go-containerregistry
// calls to build the request header, hands the password out.
type Credentials struct {
	registry, username, password string
	expiresAt                    time.Time
}

var _ authn.Authenticator = (*Credentials)(nil)

// Authorization implements authn.Authenticator.
func (c *Credentials) Authorization() (*authn.AuthConfig, error) {
	return &authn.AuthConfig{Username: c.username, Password: c.password}, nil
}

// Registry is the registry host the credentials were issued for (the token's proxy endpoint unless Login was
// given a host).
func (c *Credentials) Registry() string { return c.registry }

// Username is the registry user, "AWS" for ECR.
func (c *Credentials) Username() string { return c.username }

// ExpiresAt is when ECR stops accepting the password (12 hours after issue); zero if ECR did not say.
func (c *Credentials) ExpiresAt() time.Time { return c.expiresAt }

// String describes the credentials without the password.
func (c *Credentials) String() string {
	s := fmt.Sprintf("registry credentials for %s (user %s, password redacted", c.registry, c.username)
	if !c.expiresAt.IsZero() {
		s += ", expires " + c.expiresAt.UTC().Format(time.RFC3339)
	}
	return s + ")"
}

// GoString keeps %#v from printing the password field.
func (c *Credentials) GoString() string { return c.String() }

// MarshalJSON keeps the password out of JSON logs and reports.
func (c *Credentials) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"registry":%q,"username":%q,"password":"redacted"}`, c.registry, c.username)), nil
}

// Login exchanges the caller's AWS credentials for registry credentials (GetAuthorizationToken, valid 12 hours).
// registryHost, optional, labels the credentials; ECR's token works for every registry the caller may access, so
// it is not sent to AWS. Empty: the token's proxy endpoint host. The returned authenticator is a *Credentials.
//
// The token's expiry is recorded, not enforced: the clock of the machine running the pipeline is not ECR's.
func Login(ctx context.Context, api AuthorizationTokenAPI, registryHost string) (authn.Authenticator, error) {
	out, err := api.GetAuthorizationToken(ctx, &awsecr.GetAuthorizationTokenInput{})
	if err != nil {
		return nil, fmt.Errorf("ECR login: %s", awsenv.Explain(err))
	}
	if len(out.AuthorizationData) == 0 {
		return nil, errors.New("ECR login: GetAuthorizationToken returned no authorization data")
	}
	data := out.AuthorizationData[0]
	user, password, err := decodeToken(aws.ToString(data.AuthorizationToken))
	if err != nil {
		return nil, err
	}
	host := strings.TrimSpace(registryHost)
	if host == "" {
		host = proxyHost(aws.ToString(data.ProxyEndpoint))
	}
	return &Credentials{registry: host, username: user, password: password, expiresAt: aws.ToTime(data.ExpiresAt)}, nil
}

// decodeToken splits ECR's base64 "user:password". Its errors never quote the token: it is the password.
func decodeToken(token string) (user, password string, err error) {
	if token == "" {
		return "", "", errors.New("ECR login: GetAuthorizationToken returned an empty token")
	}
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return "", "", errors.New("ECR login: the authorization token is not base64 (token not shown)")
	}
	user, password, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || password == "" {
		return "", "", errors.New("ECR login: the authorization token is not \"user:password\" (token not shown)")
	}
	return user, password, nil
}

// proxyHost reduces "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com" to its host.
func proxyHost(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		return u.Host
	}
	return strings.TrimPrefix(strings.TrimPrefix(endpoint, "https://"), "http://")
}
