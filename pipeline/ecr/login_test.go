package ecr_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/ecr"
)

func TestLogin_MotoTokenIsAWorkingAuthenticator(t *testing.T) {
	m := testkit.StartMoto(t)
	ctx := context.Background()
	auth, err := ecr.Login(ctx, awsecr.NewFromConfig(m.Config(t)), "")
	if err != nil {
		t.Fatal(err)
	}
	creds, ok := auth.(*ecr.Credentials)
	if !ok {
		t.Fatalf("Login returned %T, want *ecr.Credentials", auth)
	}
	cfg, err := auth.Authorization()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Username != "AWS" || cfg.Password == "" || creds.Username() != "AWS" {
		t.Fatalf("want user AWS and a password, got user %q", cfg.Username)
	}
	if creds.Registry() != "123456789012.dkr.ecr."+testkit.Region+".amazonaws.com" || creds.ExpiresAt().IsZero() {
		t.Fatalf("registry %q expires %v", creds.Registry(), creds.ExpiresAt())
	}
	js, _ := json.Marshal(creds)
	for _, shown := range []string{fmt.Sprint(auth), fmt.Sprintf("%+v", auth), fmt.Sprintf("%#v", auth), string(js)} {
		if strings.Contains(shown, cfg.Password) {
			t.Fatalf("the password is printed: %s", shown)
		}
	}

	// A registry that wants exactly these credentials accepts the push.
	host := testkit.StartRegistry(t, testkit.WithBasicAuth("AWS", cfg.Password))
	image := ociTarball(t, randomImage(t), false)
	if _, err := push(t, ecr.PushOptions{Image: image, Repository: host + "/web", Tag: sha, Auth: auth}); err != nil {
		t.Fatal(err)
	}
	// The same registry turns a wrong password away; neither password appears in the error.
	wrong := &authn.Basic{Username: "AWS", Password: "wrong-" + cfg.Password}
	_, err = push(t, ecr.PushOptions{Image: image, Repository: host + "/web", Tag: "other", Auth: wrong})
	msg := oneLine(t, err)
	if !strings.Contains(msg, "rejected the credentials") || strings.Contains(msg, cfg.Password) {
		t.Fatalf("want a credentials error without the password, got %s", msg)
	}
	// Anonymous is turned away the same way.
	_, err = push(t, ecr.PushOptions{Image: image, Repository: host + "/web", Tag: "anon"})
	if msg := oneLine(t, err); !strings.Contains(msg, "rejected the credentials") {
		t.Fatalf("anonymous: %s", msg)
	}
}

func TestLogin_RegistryHostLabelsTheCredentials(t *testing.T) {
	api := fakeTokenAPI{token: base64.StdEncoding.EncodeToString([]byte("AWS:s3cr3t-pa55"))}
	auth, err := ecr.Login(context.Background(), api, "210987654321.dkr.ecr.us-east-1.amazonaws.com")
	if err != nil {
		t.Fatal(err)
	}
	if got := auth.(*ecr.Credentials).Registry(); got != "210987654321.dkr.ecr.us-east-1.amazonaws.com" {
		t.Fatal(got)
	}
}

func TestLogin_BadTokenNeverQuotesIt(t *testing.T) {
	for _, token := range []string{
		"not-base64-s3cr3t!!",
		base64.StdEncoding.EncodeToString([]byte("s3cr3t-without-user")),
		base64.StdEncoding.EncodeToString([]byte("AWS:")),
	} {
		_, err := ecr.Login(context.Background(), fakeTokenAPI{token: token}, "")
		msg := oneLine(t, err)
		if strings.Contains(msg, token) || strings.Contains(msg, "s3cr3t") {
			t.Fatalf("the token leaks into: %s", msg)
		}
	}
	_, err := ecr.Login(context.Background(), fakeTokenAPI{err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed: ecr:GetAuthorizationToken"}}, "")
	if msg := oneLine(t, err); !strings.HasPrefix(msg, "ECR login: access denied") {
		t.Fatal(msg)
	}
}

func TestPush_ECRRepositoryMissingIsOneClearLine(t *testing.T) {
	m := testkit.StartMoto(t)
	api := awsecr.NewFromConfig(m.Config(t))
	host := testkit.StartRegistry(t)
	c := &counter{}
	image := ociTarball(t, randomImage(t), false)
	o := ecr.PushOptions{Image: image, Repository: host + "/web", Tag: sha, ECR: api, Transport: c}
	_, err := push(t, o)
	if msg := oneLine(t, err); !strings.Contains(msg, `ECR repository "web" does not exist`) {
		t.Fatalf("got %s", msg)
	}
	if len(c.paths) != 0 {
		t.Fatalf("a push to a missing repository talked to the registry: %v", c.paths)
	}
	_, err = api.CreateRepository(context.Background(), &awsecr.CreateRepositoryInput{
		RepositoryName: aws.String("web"), ImageTagMutability: ecrtypes.ImageTagMutabilityImmutable,
	})
	if err != nil {
		t.Fatal(err)
	}
	info, err := ecr.CheckRepository(context.Background(), api, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web")
	if err != nil || !info.ImmutableTags || info.Name != "web" {
		t.Fatalf("CheckRepository: %+v %v", info, err)
	}
	if _, err := push(t, o); err != nil {
		t.Fatal(err)
	}
}

// fakeTokenAPI answers GetAuthorizationToken with a fixed token or error.
type fakeTokenAPI struct {
	token string
	err   error
}

func (f fakeTokenAPI) GetAuthorizationToken(context.Context, *awsecr.GetAuthorizationTokenInput, ...func(*awsecr.Options)) (*awsecr.GetAuthorizationTokenOutput, error) {
	if f.err != nil {
		return nil, errors.Join(f.err)
	}
	return &awsecr.GetAuthorizationTokenOutput{AuthorizationData: []ecrtypes.AuthorizationData{{
		AuthorizationToken: aws.String(f.token), ProxyEndpoint: aws.String("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
	}}}, nil
}
