package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-containerregistry/pkg/crane"

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
	"enable_budget=false", "enable_autoscaling=false", "deny_insecure_transport=false"}

// standInApp serves the sample app's files and /healthz on loopback: moto's ECS runs no containers, so the smoke
// test of a deploy in the lab reaches this instead of the new tasks (through --app-endpoint, a service tunnel).
type standInApp struct {
	port    int
	healthy atomic.Bool
}

func startStandInApp(t *testing.T) *standInApp {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &standInApp{port: l.Addr().(*net.TCPAddr).Port}
	a.healthy.Store(true)
	files := http.FileServer(http.Dir(filepath.Join(repoRoot(t), "testdata", "node-app", "public")))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.healthy.Load() {
			http.Error(w, "bad release", http.StatusInternalServerError)
			return
		}
		if r.URL.Path == "/healthz" {
			_, _ = io.WriteString(w, `{"status":"ok"}`) // a failed write is the smoke test's to see and report
			return
		}
		files.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(l) }() // returns http.ErrServerClosed when the cleanup closes it
	t.Cleanup(func() { _ = srv.Close() })
	return a
}

// lab is one moto with a bootstrapped dev environment and the flags every call needs.
type deployLab struct {
	moto   *testkit.Moto
	app    *standInApp
	keyID  string
	secret string
}

func newDeployLab(t *testing.T) *deployLab {
	requireLab(t)
	m := testkit.StartMoto(t, "MOTO_ECS_SERVICE_RUNNING=1", "MOTO_IAM_LOAD_MANAGED_POLICIES=true", "MOTO_ACM_VALIDATION_WAIT=0")
	// Distinctive per-run credentials: the sentinel test greps every output for them.
	d := &deployLab{moto: m, app: startStandInApp(t), keyID: "AKIASENTINEL" + randHex(4), secret: "sentinel-secret-" + randHex(12)}
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
	for k, v := range map[string]string{"E2E_AWS_KEY_ID": d.keyID, "E2E_AWS_SECRET": d.secret} {
		if err := os.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
	flags := []string{"call", "--source=" + src, "--aws-access-key-id=env:E2E_AWS_KEY_ID",
		"--aws-secret-access-key=env:E2E_AWS_SECRET", "--aws-region=" + testkit.Region,
		"--aws-endpoint=tcp://localhost" + strings.TrimPrefix(d.moto.Endpoint, "http://127.0.0.1"),
		"--registry-endpoint=tcp://localhost:5000", fmt.Sprintf("--app-endpoint=tcp://localhost:%d", d.app.port)}
	return dagger(t, deployTimeout, append(flags, args...)...)
}

func (d *deployLab) deploy(t *testing.T, src, tag string) run {
	args := []string{"deploy", "--env=dev", "--tag=" + tag, "--format=json", "--skip-check"}
	for _, v := range motoVars {
		args = append(args, "--tf-var="+v)
	}
	return d.call(t, src, args...)
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

// The user's main job, end to end against moto and the lab registry: bootstrap, then a release, then a release
// whose smoke test fails and is rolled back.
func TestDeploy_ReleasesThenRollsBackAFailedSmokeTest(t *testing.T) {
	d := newDeployLab(t)
	src := fixture(t, "node-app", nil)
	var outputs []string

	r := d.call(t, src, "bootstrap", "--env=dev", "--allow-plain-http")
	outputs = append(outputs, r.output)
	if r.exitCode != 0 {
		t.Fatalf("bootstrap failed:\n%s", tail(r.output, 40))
	}

	tag := "e2e-" + strings.ToLower(randHex(4))
	r = d.deploy(t, src, tag)
	outputs = append(outputs, r.output)
	if r.exitCode != 0 {
		t.Fatalf("deploy failed:\n%s", tail(r.output, 60))
	}
	s := parseSummary(t, r.output)
	cfg := d.moto.Config(t)
	ctx := context.Background()

	// The image is in the registry under the commit tag, and the new task definition runs it pinned by digest.
	repo, _, _ := strings.Cut(s.Image.Reference, "@")
	repoPath := repo[strings.Index(repo, "/"):strings.LastIndex(repo, ":")]
	digest, err := crane.Digest(labRegistry+repoPath+":"+tag, crane.Insecure)
	if err != nil || digest != s.Image.Digest {
		t.Fatalf("registry: %s%s:%s is %q (%v), summary says %q", labRegistry, repoPath, tag, digest, err, s.Image.Digest)
	}
	ecsc := awsecs.NewFromConfig(cfg)
	td, err := ecsc.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(s.TaskDefinition)})
	if err != nil {
		t.Fatal(awsenv.Explain(err))
	}
	if img := aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image); img != s.Image.Reference || !strings.Contains(img, ":"+tag+"@sha256:") {
		t.Errorf("task definition %s runs %q, want %q", s.TaskDefinition, img, s.Image.Reference)
	}
	// Static files carry the right headers.
	s3c := awsenv.S3(cfg)
	buckets, _ := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
	var static string
	for _, b := range buckets.Buckets {
		if strings.HasSuffix(aws.ToString(b.Name), "-static-123456789012") || strings.Contains(aws.ToString(b.Name), "-static") {
			static = aws.ToString(b.Name)
		}
	}
	head, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &static, Key: aws.String("index.html")})
	if err != nil {
		t.Fatalf("index.html in %q: %s", static, awsenv.Explain(err))
	}
	if aws.ToString(head.ContentType) != "text/html; charset=utf-8" || aws.ToString(head.CacheControl) != "no-cache" {
		t.Errorf("index.html served as %q, %q", aws.ToString(head.ContentType), aws.ToString(head.CacheControl))
	}
	asset, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &static, Key: aws.String("assets/app.3e226f5c.css")})
	if err != nil || !strings.Contains(aws.ToString(asset.CacheControl), "immutable") {
		t.Errorf("hashed asset: %v %q", err, aws.ToString(asset.CacheControl))
	}
	if !s.Smoke.Passed || s.Static.Uploaded == 0 || s.Failed != "" || s.Infrastructure == "" {
		t.Errorf("summary: %+v", s)
	}
	var stages []string
	for _, st := range s.Stages {
		if st.OK {
			stages = append(stages, st.Name)
		}
	}
	if got := strings.Join(stages, " "); got != "build scan integration terraform push assets rollout smoke html delete invalidate" {
		t.Errorf("stages that ran and passed, in order: %q", got)
	}

	// The parts on their own: publish of a pushed commit uploads nothing; the smoke test of the live app passes;
	// apply prints the targets.
	r = d.call(t, src, "publish", "--env=dev", "--tag="+tag)
	outputs = append(outputs, r.output)
	if r.exitCode != 0 || !strings.Contains(r.output, s.Image.Digest+" (already there, nothing pushed)") {
		t.Errorf("publish of the released commit should push nothing:\n%s", tail(r.output, 30))
	}
	r = d.call(t, src, "smoke-test")
	outputs = append(outputs, r.output)
	if r.exitCode != 0 {
		t.Errorf("smoke-test of the healthy app failed:\n%s", tail(r.output, 30))
	}
	apply := []string{"apply", "--env=dev"}
	for _, v := range motoVars {
		apply = append(apply, "--tf-var="+v)
	}
	r = d.call(t, src, apply...)
	outputs = append(outputs, r.output)
	if r.exitCode != 0 || !strings.Contains(r.output, "ecs_service_name") {
		t.Errorf("apply should print the deploy targets:\n%s", tail(r.output, 30))
	}

	// A deploy of dev while another one holds dev's deploy lock is refused with one line naming the holder,
	// before anything is built, pushed or registered.
	db := dynamodb.NewFromConfig(cfg)
	lockTable := aws.String("pixelsandpetals-terraform-locks") // environments/dev.backend.hcl
	lockKey := map[string]ddbtypes.AttributeValue{"LockID": &ddbtypes.AttributeValueMemberS{Value: "deploy/dev"}}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: lockTable, Item: map[string]ddbtypes.AttributeValue{
		"LockID": lockKey["LockID"], "Holder": &ddbtypes.AttributeValueMemberS{Value: "alice (e2e, other deploy)"},
		"Since": &ddbtypes.AttributeValueMemberS{Value: "2026-11-30T12:00:00Z"}}}); err != nil {
		t.Fatal(awsenv.Explain(err))
	}
	family := strings.Split(s.TaskDefinition, ":")[0]
	revisions := func() int {
		out, err := ecsc.ListTaskDefinitions(ctx, &awsecs.ListTaskDefinitionsInput{FamilyPrefix: &family})
		if err != nil {
			t.Fatal(awsenv.Explain(err))
		}
		return len(out.TaskDefinitionArns)
	}
	before := revisions()
	r = d.deploy(t, src, tag+"-locked")
	outputs = append(outputs, r.output)
	if r.exitCode == 0 || !strings.Contains(r.output, "deploy dev refused: alice (e2e, other deploy) is deploying it since 2026-11-30T12:00:00Z") {
		t.Errorf("a deploy while dev is locked should be refused naming the holder:\n%s", tail(r.output, 30))
	}
	if after := revisions(); after != before {
		t.Errorf("the refused deploy registered task definitions: %d before, %d after", before, after)
	}
	if _, err := crane.Digest(labRegistry+repoPath+":"+tag+"-locked", crane.Insecure); err == nil {
		t.Error("the refused deploy pushed its image")
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: lockTable, Key: lockKey}); err != nil {
		t.Fatal(awsenv.Explain(err))
	}

	// A second release that changes the page: it goes live, and CloudFront is told for exactly the HTML paths that
	// changed (the first release replaced nothing that could be cached, so it invalidated nothing).
	edited := fixture(t, "node-app", nil)
	page := filepath.Join(edited, "public", "index.html")
	editPage(t, page, "<p>release two</p>")
	r = d.deploy(t, edited, tag+"-2")
	outputs = append(outputs, r.output)
	if r.exitCode != 0 {
		t.Fatalf("the second release failed:\n%s", tail(r.output, 60))
	}
	s2 := parseSummary(t, r.output)
	// The CloudFront invalidation the summary names exists, for the paths it names.
	cf := cloudfront.NewFromConfig(cfg)
	dists, err := cf.ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
	if err != nil || dists.DistributionList == nil || len(dists.DistributionList.Items) != 1 {
		t.Fatalf("list distributions: %v", err)
	}
	if s2.Static.InvalidationID == "" || len(s2.Static.InvalidationPaths) == 0 {
		t.Fatalf("the summary names no invalidation: %+v", s2.Static)
	}
	inv, err := cf.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{
		DistributionId: dists.DistributionList.Items[0].Id, Id: aws.String(s2.Static.InvalidationID)})
	if err != nil {
		t.Fatalf("invalidation %s: %s", s2.Static.InvalidationID, awsenv.Explain(err))
	}
	if got := inv.Invalidation.InvalidationBatch.Paths.Items; strings.Join(got, " ") != strings.Join(s2.Static.InvalidationPaths, " ") {
		t.Errorf("invalidation %s is for %v, the summary says %v", s2.Static.InvalidationID, got, s2.Static.InvalidationPaths)
	}
	if body := getObject(t, s3c, static, "index.html"); !strings.Contains(body, "release two") {
		t.Errorf("index.html of the second release is not live:\n%s", body)
	}

	// A third release whose smoke test fails: ECS goes back to the second, the second's page stays.
	editPage(t, page, "<p>broken release</p>")
	d.app.healthy.Store(false)
	r = d.deploy(t, edited, tag+"-b")
	outputs = append(outputs, r.output)
	if r.exitCode == 0 {
		t.Fatalf("a release whose smoke test fails must fail:\n%s", tail(r.output, 40))
	}
	if !strings.Contains(r.output, "smoke test failed") || !strings.Contains(r.output, "rolled back") {
		t.Errorf("the error should say the smoke test failed and ECS was rolled back:\n%s", tail(r.output, 30))
	}
	clusters, err := ecsc.ListClusters(ctx, &awsecs.ListClustersInput{})
	if err != nil || len(clusters.ClusterArns) != 1 {
		t.Fatalf("list clusters: %v %v", clusters, err)
	}
	services, err := ecsc.ListServices(ctx, &awsecs.ListServicesInput{Cluster: &clusters.ClusterArns[0]})
	if err != nil || len(services.ServiceArns) != 1 {
		t.Fatalf("list services: %v", err)
	}
	svc, err := ecsc.DescribeServices(ctx, &awsecs.DescribeServicesInput{Cluster: &clusters.ClusterArns[0],
		Services: services.ServiceArns})
	if err != nil || len(svc.Services) != 1 {
		t.Fatalf("describe service: %v", err)
	}
	if got := aws.ToString(svc.Services[0].TaskDefinition); !strings.HasSuffix(got, ":"+strings.Split(s2.TaskDefinition, ":")[1]) {
		t.Errorf("after the failed release the service runs %s, want %s", got, s2.TaskDefinition)
	}
	if body := getObject(t, s3c, static, "index.html"); strings.Contains(body, "broken release") || !strings.Contains(body, "release two") {
		t.Errorf("after the failed release index.html should still be the second release's:\n%s", body)
	}

	// status shows what runs; rollback goes one revision further back, to the first release's.
	r = d.call(t, src, "status", "--env=dev")
	outputs = append(outputs, r.output)
	if r.exitCode != 0 || !strings.Contains(r.output, s2.TaskDefinition) {
		t.Errorf("status should show %s:\n%s", s2.TaskDefinition, tail(r.output, 30))
	}
	r = d.call(t, src, "rollback", "--env=dev")
	outputs = append(outputs, r.output)
	if r.exitCode != 0 || !strings.Contains(r.output, "rollback dev: "+s.TaskDefinition+" is serving (was "+s2.TaskDefinition+")") {
		t.Errorf("rollback should put %s back:\n%s", s.TaskDefinition, tail(r.output, 30))
	}

	// Nothing secret in any output.
	for _, out := range outputs {
		if strings.Contains(out, d.keyID) || strings.Contains(out, d.secret) {
			t.Fatal("an AWS credential appears in the output")
		}
	}
	// ... nor in the pushed image (config and every layer).
	img, err := crane.Pull(labRegistry+repoPath+":"+tag, crane.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	var sink strings.Builder
	if err := crane.Export(img, &limitedWriter{w: &sink, n: 64 << 20}); err != nil {
		t.Fatal(err)
	}
	cfgFile, _ := img.RawConfigFile()
	if strings.Contains(sink.String()+string(cfgFile), d.secret) || strings.Contains(sink.String()+string(cfgFile), d.keyID) {
		t.Fatal("an AWS credential is in the image")
	}
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

// editPage inserts html before the page's </body>.
func editPage(t *testing.T, page, html string) {
	t.Helper()
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, []byte(strings.Replace(string(b), "</body>", html+"</body>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// getObject returns an S3 object's body ("" when it cannot be read).
func getObject(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	obj, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Errorf("s3://%s/%s: %s", bucket, key, awsenv.Explain(err))
		return ""
	}
	defer func() { _ = obj.Body.Close() }() // read-only
	body, _ := io.ReadAll(obj.Body)
	return string(body)
}
