package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-containerregistry/pkg/crane"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/terraform"
)

// releaseSource is the sample app as release name: its page carries <meta name="release">, and edit changes files.
func releaseSource(t *testing.T, name string, edit func(dir string)) string {
	t.Helper()
	src := fixture(t, "node-app", nil)
	replaceIn(t, filepath.Join(src, "web", "index.html"), "<head>", `<head>
  <meta name="release" content="`+name+`">`)
	if edit != nil {
		edit(src)
	}
	return src
}

func replaceIn(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The user's main job, end to end, as visitors see it: bootstrap, then releases of dev against moto and the lab
// registry, with visitors loading pages and assets through an edge that routes like the distribution, to the app
// as ECS runs it (see edge_test.go). A first release; a second that changes JS and CSS while a visitor keeps the
// first page open; a third whose smoke test fails and is rolled back; a rollback to the first. Zero asset loads may
// fail, for any page a visitor got.
//
// moto enforces IAM. An administrator bootstraps dev and makes release 1 with Terraform inside deploy (the laptop
// path); every later call runs as the workflows' jobs do, with the credentials of the role infra/ created for that
// job: plan.yml's plan with the plan role, deploy.yml's release job (deploy --skip-apply, rollback, status) with the
// release role. Each role also gets one call it must not make, refused with nothing changed.
func TestRelease_VisitorsLoadEveryAssetDuringAndAfterEachRelease(t *testing.T) {
	requireLab(t)
	m := testkit.StartEnforcedMoto(t, "MOTO_ECS_SERVICE_RUNNING=1", "MOTO_IAM_LOAD_MANAGED_POLICIES=true", "MOTO_ACM_VALIDATION_WAIT=0")
	cfg := m.Config(t, m.Admin)
	ctx := context.Background()
	e := newEdge(t, cfg, 3000)
	lifecycle := startECSLifecycle(t, m.Endpoint, e)
	admin := &deployLab{awsEndpoint: lifecycle.URL, appPort: portOf(t, e.URL), keyID: m.Admin.AccessKeyID, secret: m.Admin.SecretAccessKey}
	d := admin // who makes the calls: the administrator until the CI roles exist
	var outputs []string
	step := func(what string, r run) run {
		t.Helper()
		outputs = append(outputs, r.output)
		t.Logf("%s: exit %d", what, r.exitCode)
		return r
	}

	if r := step("bootstrap", d.call(t, releaseSource(t, "r1", nil), "bootstrap", "--env=dev", "--allow-plain-http")); r.exitCode != 0 {
		t.Fatalf("bootstrap failed:\n%s", tail(r.output, 40))
	}
	v := newVisitors(e.URL)
	v.browse(3)
	defer v.finish()

	// Release 1. The edge reads its routing from the distribution Terraform just created.
	tag := "e2e-" + strings.ToLower(randHex(4))
	src1 := releaseSource(t, "r1", nil)
	r := d.deploy(t, src1, tag)
	outputs = append(outputs, r.output)
	if r.exitCode != 0 {
		t.Fatalf("the first release failed:\n%s", tail(r.output, 60))
	}
	s1 := parseSummary(t, r.output)
	e.loadDistribution(ctx)
	waitServing(t, e, s1.TaskDefinition)
	html1, rev := page(t, e.URL)
	if !strings.Contains(html1, `content="r1"`) || !strings.HasSuffix(rev, ":"+revisionNumber(s1.TaskDefinition)) {
		t.Fatalf("after release 1 the edge serves revision %s with:\n%s", rev, html1)
	}
	v.keep(html1) // a visitor who keeps release 1's page open through everything that follows
	t.Logf("release 1 (%s): %s", s1.TaskDefinition, v.figures())

	// What release 1 put where: the image in the registry by digest, the task definition pinned to it, the
	// assets read out of that image with immutable caching, no HTML in the bucket (HTML comes from the app).
	repo, _, _ := strings.Cut(s1.Image.Reference, "@")
	repoPath := repo[strings.Index(repo, "/"):strings.LastIndex(repo, ":")]
	if digest, err := crane.Digest(labRegistry+repoPath+":"+tag, crane.Insecure); err != nil || digest != s1.Image.Digest {
		t.Fatalf("registry: %s%s:%s is %q (%v), summary says %q", labRegistry, repoPath, tag, digest, err, s1.Image.Digest)
	}
	ecsc := awsecs.NewFromConfig(cfg)
	td, err := ecsc.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(s1.TaskDefinition)})
	if err != nil {
		t.Fatal(awsenv.Explain(err))
	}
	if img := aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image); img != s1.Image.Reference || !strings.Contains(img, ":"+tag+"@sha256:") {
		t.Errorf("task definition %s runs %q, want %q", s1.TaskDefinition, img, s1.Image.Reference)
	}
	s3c := awsenv.S3(cfg)
	static := e.routes[0].bucket
	for _, a := range assetRef.FindAllStringSubmatch(html1, -1) {
		head, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &static, Key: aws.String(strings.TrimPrefix(a[1], "/"))})
		if err != nil || !strings.Contains(aws.ToString(head.CacheControl), "immutable") {
			t.Errorf("asset %s in s3://%s: %v, Cache-Control %q", a[1], static, err, aws.ToString(head.CacheControl))
		}
	}
	if _, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &static, Key: aws.String("index.html")}); err == nil {
		t.Error("index.html is in the static bucket: HTML comes from the app, nothing in the bucket may pretend otherwise")
	}
	var stages []string
	for _, st := range s1.Stages {
		if st.OK {
			stages = append(stages, st.Name)
		}
	}
	if got := strings.Join(stages, " "); got != "build scan integration terraform push assets rollout smoke cleanup invalidate" {
		t.Errorf("stages that ran and passed, in order: %q", got)
	}
	if !s1.Smoke.Passed || s1.Static.Uploaded != 2 || s1.Failed != "" || s1.Infrastructure == "" {
		t.Errorf("summary: %+v", s1)
	}

	// From here on, the CI roles release 1's apply created, from the outputs an operator copies into the
	// repository's variables.
	roles := ciRoles(t, cfg, m.AdminARN())
	planner := admin.as(t, cfg, roles["plan"])
	d = admin.as(t, cfg, roles["release"])
	d.skipApply = true
	secrets := []string{admin.keyID, admin.secret, planner.keyID, planner.secret, d.keyID, d.secret}
	if r := step("plan (plan role)", planner.tfCall(t, src1, "plan", "--env=dev")); r.exitCode != 0 {
		t.Errorf("plan.yml's call with the plan role failed:\n%s", tail(r.output, 40))
	}
	for _, c := range []struct {
		role string
		lab  *deployLab
	}{{"plan", planner}, {"release", d}} {
		if r := step("apply ("+c.role+" role)", c.lab.tfCall(t, src1, "apply", "--env=dev")); r.exitCode == 0 ||
			!strings.Contains(r.output, "AccessDenied") {
			t.Errorf("apply with the %s role should be refused by IAM:\n%s", c.role, tail(r.output, 40))
		}
	}
	// Nothing changed: the refused applies would have put the roles' trust back as Terraform has it (without the
	// test's principal), so assuming them again still works only if they changed nothing.
	_ = admin.as(t, cfg, roles["release"])

	// The parts on their own: publish of a pushed commit pushes nothing; the smoke test of the live app passes.
	if r := step("publish", d.call(t, src1, "publish", "--env=dev", "--tag="+tag)); r.exitCode != 0 ||
		!strings.Contains(r.output, s1.Image.Digest+" (already there, nothing pushed)") {
		t.Errorf("publish of the released commit should push nothing:\n%s", tail(r.output, 30))
	}
	if r := step("smoke-test", d.call(t, src1, "smoke-test")); r.exitCode != 0 {
		t.Errorf("smoke-test of the live release failed:\n%s", tail(r.output, 30))
	}

	// Another run holds dev's lock with a live lease: deploy and rollback are refused in one line naming it, and
	// nothing is registered or pushed.
	db := dynamodb.NewFromConfig(cfg)
	holdLock := func(expires time.Time) {
		t.Helper()
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(backendSetting(t, "dev", "dynamodb_table")),
			Item: map[string]ddbtypes.AttributeValue{
				"LockID":    &ddbtypes.AttributeValueMemberS{Value: "deploy/dev"},
				"Holder":    &ddbtypes.AttributeValueMemberS{Value: "alice (e2e, other deploy)"},
				"Operation": &ddbtypes.AttributeValueMemberS{Value: "deploy"},
				"Since":     &ddbtypes.AttributeValueMemberS{Value: "2026-11-30T12:00:00Z"},
				"Token":     &ddbtypes.AttributeValueMemberS{Value: "alice-token"},
				"Expires":   &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)}}}); err != nil {
			t.Fatal(awsenv.Explain(err))
		}
	}
	holdLock(time.Now().Add(time.Hour))
	family := strings.Split(s1.TaskDefinition, ":")[0]
	revisions := func() int {
		out, err := ecsc.ListTaskDefinitions(ctx, &awsecs.ListTaskDefinitionsInput{FamilyPrefix: &family})
		if err != nil {
			t.Fatal(awsenv.Explain(err))
		}
		return len(out.TaskDefinitionArns)
	}
	before := revisions()
	if r := step("deploy while locked", d.deploy(t, src1, tag+"-locked")); r.exitCode == 0 ||
		!strings.Contains(r.output, "deploy dev refused: alice (e2e, other deploy) holds the dev lock for deploy since 2026-11-30T12:00:00Z") {
		t.Errorf("a deploy while dev is locked should be refused naming the holder:\n%s", tail(r.output, 30))
	}
	if r := step("rollback while locked", d.call(t, src1, "rollback", "--env=dev")); r.exitCode == 0 ||
		!strings.Contains(r.output, "rollback dev refused: alice (e2e, other deploy) holds the dev lock") {
		t.Errorf("a rollback while dev is locked should be refused naming the holder:\n%s", tail(r.output, 30))
	}
	if after := revisions(); after != before {
		t.Errorf("the refused deploy registered task definitions: %d before, %d after", before, after)
	}
	if _, err := crane.Digest(labRegistry+repoPath+":"+tag+"-locked", crane.Insecure); err == nil {
		t.Error("the refused deploy pushed its image")
	}
	// The holder dies: its lease runs out, and the next deploy takes the lock over, saying whose it was.
	holdLock(time.Now().Add(-3 * time.Minute))

	// Release 2 changes the JS and the CSS (new hashes); the visitor with release 1's page keeps loading its assets.
	src2 := releaseSource(t, "r2", func(dir string) {
		replaceIn(t, filepath.Join(dir, "web", "app.css"), "background:#fdf6f0", "background:#f0f6fd")
		replaceIn(t, filepath.Join(dir, "web", "app.js"), `"Added"`, `"Added to cart"`)
	})
	r = step("release 2", d.deploy(t, src2, tag+"-2"))
	if r.exitCode != 0 {
		t.Fatalf("the second release failed:\n%s", tail(r.output, 60))
	}
	if !strings.Contains(r.output, "took over the dev lock of alice (e2e, other deploy) (deploy), whose lease expired") {
		t.Errorf("the deploy after the holder's lease expired should say whose lock it took over:\n%s", tail(r.output, 40))
	}
	s2 := parseSummary(t, r.output)
	waitServing(t, e, s2.TaskDefinition)
	html2, _ := page(t, e.URL)
	if !strings.Contains(html2, `content="r2"`) || assetRef.FindString(html2) == assetRef.FindString(html1) {
		t.Fatalf("after release 2 the page should be release 2's, with new asset names:\n%s", html2)
	}
	// Only hashed assets changed: new names, nothing cached to invalidate.
	if s2.Static.Uploaded != 2 || s2.Static.InvalidationID != "" {
		t.Errorf("release 2 static: %+v", s2.Static)
	}
	t.Logf("release 2 (%s): %s", s2.TaskDefinition, v.figures())

	// Release 3's smoke test fails (its smoke.json checks a page the app does not have): ECS goes back to release 2.
	src3 := releaseSource(t, "r3", func(dir string) {
		if err := os.WriteFile(filepath.Join(dir, "smoke.json"), []byte(`{"checks": [{"path": "/healthz"}, {"path": "/"}, {"path": "/cart"}]}`), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	r = step("release 3", d.deploy(t, src3, tag+"-3"))
	if r.exitCode == 0 || !strings.Contains(r.output, "smoke test failed") || !strings.Contains(r.output, "rolled back") {
		t.Fatalf("a release whose smoke test fails must fail and say ECS was rolled back:\n%s", tail(r.output, 40))
	}
	waitServing(t, e, s2.TaskDefinition)
	if html, _ := page(t, e.URL); !strings.Contains(html, `content="r2"`) {
		t.Errorf("after the failed release 3 the page should be release 2's again:\n%s", html)
	}
	t.Logf("release 3 (failed, rolled back): %s", v.figures())

	// status shows what runs; rollback goes to the release before the serving one: release 1.
	if r := step("status", d.call(t, src1, "status", "--env=dev")); r.exitCode != 0 || !strings.Contains(r.output, s2.TaskDefinition) {
		t.Errorf("status should show %s:\n%s", s2.TaskDefinition, tail(r.output, 30))
	}
	if r := step("rollback to a revision nobody released", d.call(t, src1, "rollback", "--env=dev", "--to="+family+":1")); r.exitCode == 0 ||
		!strings.Contains(r.output, family+":1 is not a release this pipeline recorded") {
		t.Errorf("a rollback to Terraform's placeholder revision must be refused in one line:\n%s", tail(r.output, 30))
	}
	r = step("rollback", d.call(t, src1, "rollback", "--env=dev"))
	if r.exitCode != 0 || !strings.Contains(r.output, "rollback dev: "+s1.TaskDefinition+" is serving release "+tag+" (was "+s2.TaskDefinition+")") {
		t.Fatalf("rollback should put release 1 (%s) back:\n%s", s1.TaskDefinition, tail(r.output, 30))
	}
	waitServing(t, e, s1.TaskDefinition)
	if html, _ := page(t, e.URL); html != html1 {
		t.Errorf("after the rollback the page should be release 1's:\n%s", html)
	}
	time.Sleep(2 * time.Second) // visitors load the rolled-back release's page and assets a few times
	v.finish()

	figures := v.figures()
	fmt.Printf("release e2e, visitors through the edge: %s\n", figures)
	t.Logf("visitors: %s; releases seen: %v", figures, v.seen)
	if v.failed.Load() != 0 || v.pages.Load() == 0 {
		t.Errorf("visitors: %s; failures:\n%s", figures, strings.Join(v.failures, "\n"))
	}
	if len(v.wrong) > 0 {
		t.Errorf("pages served by the wrong revision: %v", v.wrong)
	}
	for _, want := range []struct{ release, td string }{{"r1", s1.TaskDefinition}, {"r2", s2.TaskDefinition}} {
		if got := v.seen[want.release]; !strings.HasSuffix(got, "/"+want.td) {
			t.Errorf("release %s was served by %q, want its revision %s", want.release, got, want.td)
		}
	}
	if len(e.failed) > 0 {
		t.Errorf("the edge could not run a revision: %v", e.failed)
	}

	// Nothing secret in any output, nor in the pushed image (config and every layer).
	for _, out := range outputs {
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Fatal("an AWS credential appears in the output")
			}
		}
	}
	img, err := crane.Pull(labRegistry+repoPath+":"+tag, crane.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	var sink strings.Builder
	if err := crane.Export(img, &limitedWriter{w: &sink, n: 64 << 20}); err != nil {
		t.Fatal(err)
	}
	cfgFile, _ := img.RawConfigFile()
	for _, secret := range secrets {
		if strings.Contains(sink.String()+string(cfgFile), secret) {
			t.Fatal("an AWS credential is in the image")
		}
	}
}

// waitServing waits until the edge serves taskDefinition's tasks (family:revision), bounded.
func waitServing(t *testing.T, e *edge, taskDefinition string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for !strings.HasSuffix(e.servingRevision(), "/"+taskDefinition) {
		if time.Now().After(deadline) {
			t.Fatalf("the edge does not serve %s after 5m (serving %q; edge failures: %v)", taskDefinition, e.servingRevision(), e.failed)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ciRoles reads the CI roles' ARNs from dev's Terraform outputs in its state (github_plan_role_arn, …: what the
// README tells an operator to copy into repository variables) and lets trusted assume them as well: moto cannot
// check the GitHub OIDC tokens the roles trust (see testkit.TrustAlso).
func ciRoles(t *testing.T, admin aws.Config, trusted string) map[string]string {
	t.Helper()
	ctx := context.Background()
	obj, err := awsenv.S3(admin).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(backendSetting(t, "dev", "bucket")),
		Key: aws.String(backendSetting(t, "dev", "key"))})
	if err != nil {
		t.Fatal(awsenv.Explain(err))
	}
	defer func() { _ = obj.Body.Close() }()
	var state struct {
		Outputs map[string]struct {
			Value any `json:"value"`
		} `json:"outputs"`
	}
	if err := json.NewDecoder(obj.Body).Decode(&state); err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, role := range []string{"plan", "apply", "release"} {
		arn, _ := state.Outputs["github_"+role+"_role_arn"].Value.(string)
		if arn == "" {
			t.Fatalf("dev's state has no output github_%s_role_arn", role)
		}
		if err := testkit.TrustAlso(ctx, admin, arn[strings.LastIndex(arn, "/")+1:], trusted); err != nil {
			t.Fatal(err)
		}
		roles[role] = arn
	}
	return roles
}

// backendSetting is one setting of an environment's backend file, read as the module reads it.
func backendSetting(t *testing.T, env, key string) string {
	t.Helper()
	settings, err := terraform.BackendSettings(filepath.Join(repoRoot(t), "infra", "terraform"), env)
	if err != nil || settings[key] == "" {
		t.Fatalf("no %s in environments/%s.backend.hcl (%v)", key, env, err)
	}
	return settings[key]
}

func revisionNumber(td string) string { return td[strings.LastIndex(td, ":")+1:] }

func portOf(t *testing.T, rawURL string) int {
	t.Helper()
	p, err := strconv.Atoi(rawURL[strings.LastIndex(rawURL, ":")+1:])
	if err != nil {
		t.Fatal(err)
	}
	return p
}
