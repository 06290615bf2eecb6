package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

const (
	deployTimeout = 25 * time.Minute
	// labRegistry is the lab's registry; deploy pushes there instead of the (unreachable) ECR host.
	labRegistry = "127.0.0.1:5000"
)

// motoVars let the dev environment apply on moto; each is explained in infra/README.md.
var motoVars = []string{"aws_region=" + testkit.Region, "s3_use_path_style=true", "enable_dns=false",
	"enable_budget=false", "enable_autoscaling=false", "deny_insecure_transport=false",
	"enable_security_headers=false"} // moto has no CloudFront response headers policies

// standInApp answers / and /healthz on loopback, for the tests that need a live endpoint but no release (the
// release tests run the released image itself, see edge_test.go).
type standInApp struct {
	port    int
	healthy atomic.Bool
}

func startStandInApp(t *testing.T) *standInApp {
	t.Helper()
	a := &standInApp{}
	a.healthy.Store(true)
	a.port = portOf(t, serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.healthy.Load() {
			http.Error(w, "bad release", http.StatusInternalServerError)
			return
		}
		if r.URL.Path == "/healthz" {
			_, _ = io.WriteString(w, `{"status":"ok"}`) // a failed write is the smoke test's to see and report
			return
		}
		_, _ = io.WriteString(w, "<!doctype html><title>Pixels &amp; Petals</title>") // as above
	})))
	return a
}

// lab is one moto with a bootstrapped dev environment and the flags every call needs.
type deployLab struct {
	moto *testkit.Moto
	app  *standInApp
	// awsEndpoint and appPort are what --aws-endpoint and --app-endpoint reach: moto and the stand-in app, or the
	// ECS lifecycle proxy and the edge.
	awsEndpoint string
	appPort     int
	keyID       string
	secret      string
	token       string // session token of temporary credentials (a role's), empty for an IAM user's keys
	// skipApply makes deploy release only (--skip-apply), as deploy.yml's release job does with the release role.
	skipApply bool
}

func newDeployLab(t *testing.T) *deployLab {
	requireLab(t)
	m := testkit.StartMoto(t, "MOTO_ECS_SERVICE_RUNNING=1", "MOTO_IAM_LOAD_MANAGED_POLICIES=true", "MOTO_ACM_VALIDATION_WAIT=0")
	// Distinctive per-run credentials: the sentinel test greps every output for them.
	d := &deployLab{moto: m, app: startStandInApp(t), awsEndpoint: m.Endpoint, keyID: "AKIASENTINEL" + randHex(4),
		secret: "sentinel-secret-" + randHex(12)}
	d.appPort = d.app.port
	return d
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// call runs `dagger call <module flags> <args>` with the lab's endpoints and the sentinel credentials.
func (d *deployLab) call(t *testing.T, src string, args ...string) run {
	t.Helper()
	for k, v := range map[string]string{"E2E_AWS_KEY_ID": d.keyID, "E2E_AWS_SECRET": d.secret, "E2E_AWS_SESSION_TOKEN": d.token} {
		if err := os.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
	flags := []string{"call", "--source=" + src, "--aws-access-key-id=env:E2E_AWS_KEY_ID",
		"--aws-secret-access-key=env:E2E_AWS_SECRET", "--aws-region=" + testkit.Region,
		"--aws-endpoint=tcp://localhost" + strings.TrimPrefix(d.awsEndpoint, "http://127.0.0.1"),
		"--registry-endpoint=tcp://localhost:5000", fmt.Sprintf("--app-endpoint=tcp://localhost:%d", d.appPort)}
	if d.token != "" {
		flags = append(flags, "--aws-session-token=env:E2E_AWS_SESSION_TOKEN")
	}
	return dagger(t, deployTimeout, append(flags, args...)...)
}

// tfCall runs a function that plans or applies dev, with the -var overrides moto needs.
func (d *deployLab) tfCall(t *testing.T, src string, fn ...string) run {
	t.Helper()
	args := append([]string(nil), fn...)
	for _, v := range motoVars {
		args = append(args, "--tf-var="+v)
	}
	return d.call(t, src, args...)
}

func (d *deployLab) deploy(t *testing.T, src, tag string) run {
	args := []string{"deploy", "--env=dev", "--tag=" + tag, "--format=json", "--skip-check"}
	if d.skipApply {
		args = append(args, "--skip-apply")
	}
	return d.tfCall(t, src, args...)
}

// as is this lab with the credentials of role (sts:AssumeRole with admin, whom the test's trust admits), as
// aws-actions/configure-aws-credentials hands a workflow job its role's temporary keys.
func (d *deployLab) as(t *testing.T, admin aws.Config, role string) *deployLab {
	t.Helper()
	c, err := testkit.AssumeRole(context.Background(), admin, role, "e2e-"+role[strings.LastIndex(role, "/")+1:])
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", role, err)
	}
	as := *d
	as.keyID, as.secret, as.token = c.AccessKeyID, c.SecretAccessKey, c.SessionToken
	return &as
}

type summary struct {
	Image struct {
		Reference, Digest string
	}
	TaskDefinition string
	Infrastructure string
	Static         struct {
		Uploaded          int
		InvalidationID    string
		InvalidationPaths []string
	}
	Stages []struct {
		Name string
		OK   bool
	}
	Smoke struct {
		Passed bool
	}
	Failed     string
	RolledBack bool
}

func parseSummary(t *testing.T, out string) summary {
	t.Helper()
	i, j := strings.Index(out, "{\n  \"environment\""), strings.LastIndex(out, "}")
	if i < 0 || j < i {
		t.Fatalf("no JSON summary in the output:\n%s", tail(out, 40))
	}
	var s summary
	if err := json.Unmarshal([]byte(out[i:j+1]), &s); err != nil {
		t.Fatalf("summary JSON: %v\n%s", err, out[i:j+1])
	}
	return s
}

func TestDeploy_BadInputIsOneClearLineAndChangesNothing(t *testing.T) {
	d := newDeployLab(t)
	src := fixture(t, "node-app", nil)
	r := d.call(t, src, "deploy", "--env=qa")
	if r.exitCode == 0 || !strings.Contains(r.output, `unknown environment "qa": choose one of dev, prod, staging`) {
		t.Errorf("unknown env: want one line listing the environments:\n%s", tail(r.output, 20))
	}
	r = dagger(t, deployTimeout, "call", "--source="+src, "--aws-region="+testkit.Region,
		"--aws-endpoint=tcp://localhost"+strings.TrimPrefix(d.moto.Endpoint, "http://127.0.0.1"), "deploy", "--env=dev")
	if r.exitCode == 0 || !strings.Contains(r.output, "no AWS credentials") {
		t.Errorf("no credentials: want one clear line:\n%s", tail(r.output, 20))
	}
	r = d.call(t, src, "deploy", "--env=dev", "--k6-script=k6/missing.js")
	if r.exitCode == 0 || !strings.Contains(r.output, "--k6-script k6/missing.js is not in the source") {
		t.Errorf("a missing k6 script: want one clear line:\n%s", tail(r.output, 20))
	}
	buckets, err := awsenv.S3(d.moto.Config(t)).ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil || len(buckets.Buckets) != 0 {
		t.Errorf("a refused deploy created %d buckets (%v)", len(buckets.Buckets), err)
	}
}

// limitedWriter keeps at most n bytes: image layers are small here, the bound keeps a mistake from eating memory.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	k := min(len(p), l.n)
	l.n -= k
	if n, err := l.w.Write(p[:k]); err != nil {
		return n, err
	}
	return len(p), nil
}
