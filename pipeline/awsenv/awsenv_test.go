package awsenv_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

func TestLoad_ExplicitKeysAndEndpointReachMoto(t *testing.T) {
	m := testkit.StartMoto(t)
	id, err := awsenv.Verify(context.Background(), m.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	if id.Account == "" {
		t.Fatalf("no account in %+v", id)
	}
}

func TestLoad_WebIdentityAssumesRoleThroughSTS(t *testing.T) {
	m := testkit.StartMoto(t)
	cfg, err := awsenv.Load(context.Background(), awsenv.Options{
		Region: testkit.Region, Endpoint: m.Endpoint,
		RoleARN: "arn:aws:iam::123456789012:role/deploy-prod", WebIdentityToken: "header.payload.signature",
	})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity: %v", err)
	}
	if creds.SessionToken == "" || creds.Source != "WebIdentityCredentials" {
		t.Fatalf("want temporary web identity credentials, got source %q", creds.Source)
	}
	id, err := awsenv.Verify(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(id.ARN, "deploy-prod") {
		t.Fatalf("acting as %s, want the assumed role", id.ARN)
	}
}

func TestLoad_HalfCredentialsIsOneClearLine(t *testing.T) {
	for _, o := range []awsenv.Options{
		{Region: "eu-west-1", AccessKeyID: "AKIAEXAMPLE"},
		{Region: "eu-west-1", RoleARN: "arn:aws:iam::1:role/x"},
	} {
		_, err := awsenv.Load(context.Background(), o)
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Fatalf("want one line, got %v", err)
		}
	}
}

func TestVerify_UnreachableEndpointFailsFast(t *testing.T) {
	cfg, err := awsenv.Load(context.Background(), awsenv.Options{
		Region: "eu-west-1", AccessKeyID: "a", SecretAccessKey: "b",
		Endpoint: fmt.Sprintf("http://127.0.0.1:%d", testkit.FreePort(t)), MaxAttempts: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = awsenv.Verify(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "endpoint unreachable") {
		t.Fatalf("want 'endpoint unreachable', got %v", err)
	}
}

func TestExplain_NamesTheCause(t *testing.T) {
	err := &smithy.GenericAPIError{Code: "ExpiredToken", Message: "The security token included in the request is expired"}
	if got := awsenv.Explain(errors.Join(err)); !strings.HasPrefix(got, "credentials expired") {
		t.Fatal(got)
	}
	if got := awsenv.Explain(&smithy.GenericAPIError{Code: "ClusterNotFoundException", Message: "Cluster not found."}); got != "ClusterNotFoundException: Cluster not found." {
		t.Fatal(got)
	}
}
