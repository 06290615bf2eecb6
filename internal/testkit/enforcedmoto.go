package testkit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// motoResourceShim starts moto_server with small test-only fixes to its IAM enforcement; none loosens a check.
//
// ARNs: moto writes a CloudFront distribution's ARN without its empty region field; the shim writes the real one,
// so a policy naming the distribution (from Terraform's output) matches the request.
//
// Actions: moto names an action after the endpoint prefix the request was signed for, so CloudWatch's calls are
// checked as "monitoring:DescribeAlarms"; the shim checks them as IAM names them ("cloudwatch:DescribeAlarms").
//
// Resources: moto 5.2's IAM enforcement hands the request's resource ARN to the policy check for S3, IAM roles and
// STS only; for every other service it checks the action against the resource "*", so a statement scoped to a
// resource ARN never matches there and a least-privilege role is refused everything it is allowed. The shim gives
// DynamoDB, ECR, ECS, CloudFront and Secrets Manager requests their ARN (table, repository, service, distribution,
// secret), so the CI roles' resource scoping is what moto evaluates. Nothing else changes: signatures, trust
// policies and Allow/Deny evaluation stay moto's own. moto still ignores condition keys in identity policies
// (dynamodb:LeadingKeys, ecs:cluster, iam:PassedToService): pipeline/terraform/trust_test.go evaluates those from
// the applied documents.
//
// Signatures: moto recomputes a request's SigV4 signature from the query string as it received it decoded, so an S3
// list whose prefix holds a '/' (Terraform's workspace lookup) fails with SignatureDoesNotMatch. The shim
// re-encodes the query the way SigV4's canonical request does before moto compares signatures. And for a request
// without a body (CloudFront's GETs, e.g. Terraform reading an origin access control) moto hashes the parameters it
// parsed from the path as if they were the payload; the shim hashes the empty payload the client signed.
const motoResourceShim = `
import re, sys
from urllib.parse import quote, unquote, urlparse
from moto.iam.access_control import IAMRequestBase
from moto.cloudfront.models import Distribution
from moto.cloudfront.responses import CloudFrontResponse
from moto.dynamodb.responses import DynamoHandler
from moto.ecr.responses import ECRResponse
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.secretsmanager.responses import SecretsManagerResponse
from moto.server import main


def scoped(arn_of):
    def determine(self):
        try:
            return arn_of(self) or "*"
        except Exception:
            return "*"
    return determine


def table(self):
    name = self.body.get("TableName") if isinstance(self.body, dict) else None
    if name:
        return name if name.startswith("arn:") else f"arn:aws:dynamodb:{self.region}:{self.current_account}:table/{name}"


def repository(self):
    name = self._get_param("repositoryName") or (self._get_param("repositoryNames") or [None])[0]
    if name:
        return f"arn:aws:ecr:{self.region}:{self.current_account}:repository/{name}"


def service(self):
    if self._get_action() not in ("CreateService", "UpdateService", "DescribeServices", "DeleteService"):
        return None
    cluster = (self._get_param("cluster") or "default").split("/")[-1]
    name = self._get_param("service") or self._get_param("serviceName") or (self._get_param("services") or [None])[0]
    if name:
        return f"arn:aws:ecs:{self.region}:{self.current_account}:service/{cluster}/{name.split('/')[-1]}"


def distribution(self):
    m = re.search(r"/distribution/([^/]+)", urlparse(self.uri).path)
    if m:
        return f"arn:aws:cloudfront::{self.current_account}:distribution/{m.group(1)}"


create_aws_request = IAMRequestBase._create_aws_request


def canonical_query(self):
    path, sep, query = self._path.partition("?")
    if sep:
        pairs = [pair.partition("=") for pair in query.split("&") if pair]
        self._path = path + "?" + "&".join(
            quote(unquote(k), safe="-_.~") + "=" + quote(unquote(v), safe="-_.~") for k, _, v in pairs)
    if self._method in ("GET", "HEAD", "DELETE") and not self._body and not isinstance(self._data, (bytes, str)):
        self._data = ""  # a request without a body was signed over an empty payload, not moto's parsed params
    return create_aws_request(self)


# moto names an action after the endpoint prefix it was signed for; IAM names CloudWatch's "cloudwatch:", not
# "monitoring:".
iam_request_init = IAMRequestBase.__init__
IAM_PREFIX = {"monitoring": "cloudwatch"}


def iam_action_names(self, *args, **kwargs):
    iam_request_init(self, *args, **kwargs)
    service, _, action = self._action.partition(":")
    self._action = IAM_PREFIX.get(service, service) + ":" + action


def secret(self):
    secret_id = self._get_param("SecretId")
    if secret_id:
        return secret_id if secret_id.startswith("arn:") else f"arn:aws:secretsmanager:{self.region}:{self.current_account}:secret:{secret_id}"


# moto writes a distribution's ARN without the empty region field ("cloudfront:<account>:"); policies that name the
# real ARN ("cloudfront::<account>:") must match it.
distribution_init = Distribution.__init__


def distribution_arn(self, *args, **kwargs):
    distribution_init(self, *args, **kwargs)
    self.arn = self.arn.replace(":cloudfront:", ":cloudfront::", 1)


Distribution.__init__ = distribution_arn
IAMRequestBase.__init__ = iam_action_names
IAMRequestBase._create_aws_request = canonical_query
SecretsManagerResponse._determine_resource = scoped(secret)
DynamoHandler._determine_resource = scoped(table)
ECRResponse._determine_resource = scoped(repository)
EC2ContainerServiceResponse._determine_resource = scoped(service)
CloudFrontResponse._determine_resource = scoped(distribution)
main(sys.argv[1:])
`

// EnforcedMoto is a moto that enforces signatures and IAM policies after its first noAuth requests.
type EnforcedMoto struct {
	// Endpoint is the base URL, e.g. http://127.0.0.1:40123.
	Endpoint string
	// Admin are the keys of the administrator user the first unauthenticated requests created.
	Admin aws.Credentials
}

// StartEnforcedMoto starts a moto that enforces signatures and IAM policies (see motoResourceShim), with one
// administrator: its first three requests, the only unauthenticated ones, create the user "admin" with
// AdministratorAccess and its access key; every later request must be signed by a known identity and is checked
// against that identity's policies. Missing moto skips (fails under CI=true) like StartMoto.
func StartEnforcedMoto(t testing.TB, env ...string) *EnforcedMoto {
	t.Helper()
	m := startEnforcedMoto(t, 3, env...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	anon := m.Config(t, aws.Credentials{AccessKeyID: "bootstrap", SecretAccessKey: "bootstrap"})
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	for _, call := range []struct {
		action string
		params url.Values
		out    any
	}{
		{"CreateUser", url.Values{"UserName": {"admin"}}, nil},
		{"PutUserPolicy", url.Values{"UserName": {"admin"}, "PolicyName": {"AdministratorAccess"},
			"PolicyDocument": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}}, nil},
		{"CreateAccessKey", url.Values{"UserName": {"admin"}}, &key},
	} {
		if err := IAMCall(ctx, anon, call.action, call.params, call.out); err != nil {
			t.Fatalf("enforced moto: %s: %v", call.action, err)
		}
	}
	m.Admin = aws.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}
	if err := IAMCall(ctx, anon, "ListUsers", nil, nil); !AccessDenied(err) && !strings.Contains(fmt.Sprint(err), "InvalidClientTokenId") {
		t.Fatalf("moto does not enforce IAM after the first three requests: ListUsers with unknown keys gave %v", err)
	}
	return m
}

// AdminARN is the administrator's ARN, for trust policies that should admit it.
func (m *EnforcedMoto) AdminARN() string { return "arn:aws:iam::" + Account + ":user/admin" }

// Account is moto's default account id.
const Account = "123456789012"

// startEnforcedMoto starts moto_server's Python with motoResourceShim and INITIAL_NO_AUTH_ACTION_COUNT=noAuth, and
// stops it when the test ends. Missing moto skips (fails under CI=true) like StartMoto.
func startEnforcedMoto(t testing.TB, noAuth int, env ...string) *EnforcedMoto {
	t.Helper()
	python := motoPython(t)
	port := FreePort(t)
	cmd := exec.Command(python[0], append(python[1:], "-c", motoResourceShim, "-H", "127.0.0.1", "-p", strconv.Itoa(port))...)
	cmd.Env = append(os.Environ(), append([]string{"INITIAL_NO_AUTH_ACTION_COUNT=" + strconv.Itoa(noAuth)}, env...)...)
	return &EnforcedMoto{Endpoint: serveMoto(t, cmd, port)}
}

// motoPython is the interpreter of moto_server: its shebang, or python3 when moto_server is a wrapper (pyenv).
func motoPython(t testing.TB) []string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		Missing(t, "moto_server (pip package moto[server])")
	}
	python := []string{"python3"}
	if f, err := os.Open(bin); err == nil {
		line, _ := bufio.NewReader(f).ReadString('\n')
		_ = f.Close()
		if fields := strings.Fields(strings.TrimPrefix(line, "#!")); strings.HasPrefix(line, "#!") && len(fields) > 0 &&
			strings.Contains(fields[len(fields)-1], "python") {
			python = fields
		}
	}
	if out, err := exec.Command(python[0], append(python[1:], "-c", "import moto.server")...).CombinedOutput(); err != nil {
		Missing(t, fmt.Sprintf("moto's Python (%s: %v %s)", strings.Join(python, " "), err, out))
	}
	return python
}

// Config is an aws.Config for this moto with the given credentials (SessionToken may be empty).
func (m *EnforcedMoto) Config(t testing.TB, c aws.Credentials) aws.Config {
	t.Helper()
	cfg, err := awsenv.Load(context.Background(), awsenv.Options{Region: Region, AccessKeyID: c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Endpoint: m.Endpoint,
		MaxAttempts: 1}) // an AccessDenied is the answer, not something to retry
	if err != nil {
		t.Fatal(err)
	}
	cfg.APIOptions = append(cfg.APIOptions, readXMLRefusals)
	return cfg
}

// IAMCall is one IAM Query API call, signed with cfg's credentials (the module's go.mod has no IAM client, and an
// IAM client is not worth a dependency for a test). The XML response is decoded into out when out is non-nil.
func IAMCall(ctx context.Context, cfg aws.Config, action string, params url.Values, out any) error {
	form := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
	for k, v := range params {
		form[k] = v
	}
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, aws.ToString(cfg.BaseEndpoint)+"/", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }() // fully read below
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		_ = xml.Unmarshal(raw, &e)
		if e.Code == "" {
			e.Code = http.StatusText(resp.StatusCode)
		}
		return &smithy.GenericAPIError{Code: e.Code, Message: e.Message}
	}
	if out != nil {
		return xml.Unmarshal(raw, out)
	}
	return nil
}

// AssumeRole is sts:AssumeRole of roleARN with cfg's credentials: moto checks cfg's identity policies and the role's
// trust policy, and enforces the role's policies on what the returned credentials do.
func AssumeRole(ctx context.Context, cfg aws.Config, roleARN, session string) (aws.Credentials, error) {
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN),
		RoleSessionName: aws.String(session), DurationSeconds: aws.Int32(3600)})
	if err != nil {
		return aws.Credentials{}, err
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken: aws.ToString(c.SessionToken)}, nil
}

// StaticCreds is a credentials provider for fixed keys.
func StaticCreds(c aws.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

// readXMLRefusals makes moto's refusals readable to every client: moto answers a request its IAM check refuses
// with an XML error document even for JSON services (DynamoDB, ECR, ECS) and in a shape CloudFront's client does
// not parse, so the SDK would only report "failed to decode response body". This reads the code and message of a
// 403's XML body into an API error; any other response goes on to the client's own deserializer untouched.
func readXMLRefusals(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("readXMLRefusals",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			resp, ok := out.RawResponse.(*smithyhttp.Response)
			if err != nil || !ok || resp.StatusCode != http.StatusForbidden {
				return out, md, err
			}
			body, rerr := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(body))
			code, msg := xmlElement.FindSubmatch(body), xmlMessage.FindSubmatch(body)
			if rerr != nil || code == nil {
				return out, md, err
			}
			e := struct{ Code, Message string }{Code: string(code[1])}
			if msg != nil {
				e.Message = string(msg[1])
			}
			return out, md, &smithy.GenericAPIError{Code: e.Code, Message: e.Message}
		}), middleware.After)
}

// xmlElement and xmlMessage find the code and message in any of moto's XML error shapes
// (ErrorResponse>Errors>Error, ErrorResponse>Error, Error).
var (
	xmlElement = regexp.MustCompile(`<Code>([^<]+)</Code>`)
	xmlMessage = regexp.MustCompile(`<Message>([^<]*)</Message>`)
)

// AccessDenied reports whether err is an authorization refusal (moto answers AccessDenied, AccessDeniedException
// or, for S3, a bare 403).
func AccessDenied(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "Forbidden", "403", "UnauthorizedOperation":
		return true
	}
	return false
}

// TrustAlso adds principal to the trust policy of the role named roleName, next to the statements it has. Tests need
// it because moto cannot check sts:AssumeRoleWithWebIdentity under enforcement (the call is unsigned and fails):
// the role's own statements stay as applied, and the test gets credentials of exactly that role through
// sts:AssumeRole instead.
func TrustAlso(ctx context.Context, cfg aws.Config, roleName, principal string) error {
	var out struct {
		Doc string `xml:"GetRoleResult>Role>AssumeRolePolicyDocument"`
	}
	if err := IAMCall(ctx, cfg, "GetRole", url.Values{"RoleName": {roleName}}, &out); err != nil {
		return err
	}
	raw, err := url.QueryUnescape(out.Doc)
	if err != nil {
		raw = out.Doc
	}
	var doc struct {
		Version   string
		Statement []any
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return fmt.Errorf("trust policy of %s: %w", roleName, err)
	}
	doc.Statement = append(doc.Statement, map[string]any{"Sid": "TestAssumeRole", "Effect": "Allow",
		"Principal": map[string]any{"AWS": principal}, "Action": "sts:AssumeRole"})
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return IAMCall(ctx, cfg, "UpdateAssumeRolePolicy", url.Values{"RoleName": {roleName}, "PolicyDocument": {string(b)}}, nil)
}
