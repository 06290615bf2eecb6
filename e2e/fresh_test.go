package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// The engine caches every exec by its inputs. These tests make the same call twice on the same engine — same moto
// endpoint, same credentials, same flags, so the same inputs — while the world changes in between, and fail if the
// second call answers with the first one's output.

var planCounts = regexp.MustCompile(`plan dev: (\d+) to add, (\d+) to change, (\d+) to destroy, (\d+) to replace`)

// plan returns the numbers of `plan --env dev`: to add, to change, to destroy, to replace.
func (d *deployLab) plan(t *testing.T, src string) []string {
	t.Helper()
	r := d.tfCall(t, src, "plan", "--env=dev")
	m := planCounts.FindStringSubmatch(r.output)
	if r.exitCode != 0 || m == nil {
		t.Fatalf("plan failed:\n%s", tail(r.output, 40))
	}
	return m[1:]
}

func TestFresh_TerraformPlansAndAppliesAgainstTheWorldOnEveryCall(t *testing.T) {
	d := newDeployLab(t)
	src := fixture(t, "node-app", nil)
	if r := d.call(t, src, "bootstrap", "--env=dev", "--allow-plain-http"); r.exitCode != 0 {
		t.Fatalf("bootstrap failed:\n%s", tail(r.output, 40))
	}

	first := d.plan(t, src)
	if first[0] == "0" {
		t.Fatalf("the first plan of an empty account adds nothing: %v", first)
	}
	if r := d.tfCall(t, src, "apply", "--env=dev"); r.exitCode != 0 || !strings.Contains(r.output, "apply dev: "+first[0]+" to add") {
		t.Fatalf("apply should create what the plan showed (%s to add):\n%s", first[0], tail(r.output, 40))
	}
	// The same call as the first plan: it must see what apply created, not replay "N to add". (moto drops a few
	// attributes of the ECS service, distribution and security group rules, so "to change" is not 0 on moto; see
	// infra/README.md.)
	second := d.plan(t, src)
	if second[0] != "0" || second[2] != "0" || second[3] != "0" {
		t.Fatalf("after apply, the same plan call still wants to add/destroy/replace %v (the first plan was %v): replayed from the cache?", second, first)
	}

	// Someone deletes the image repository by hand: the next plan (the same call again) shows it, the next apply
	// (the same call as before) recreates it.
	ctx := context.Background()
	ecr := awsecr.NewFromConfig(d.moto.Config(t))
	repos, err := ecr.DescribeRepositories(ctx, &awsecr.DescribeRepositoriesInput{})
	if err != nil || len(repos.Repositories) != 1 {
		t.Fatalf("want one ECR repository after apply: %v", err)
	}
	name := aws.ToString(repos.Repositories[0].RepositoryName)
	if _, err := ecr.DeleteRepository(ctx, &awsecr.DeleteRepositoryInput{RepositoryName: &name, Force: true}); err != nil {
		t.Fatal(awsenv.Explain(err))
	}
	r := d.tfCall(t, src, "plan", "--env=dev", "--format=comment")
	if r.exitCode != 0 || !regexp.MustCompile("\\| add \\| `module\\.ecr\\.aws_ecr_repository\\.").MatchString(r.output) {
		t.Fatalf("the plan after the repository was deleted out of band should add it again:\n%s", tail(r.output, 40))
	}
	if r := d.tfCall(t, src, "apply", "--env=dev"); r.exitCode != 0 {
		t.Fatalf("apply after the out-of-band delete failed:\n%s", tail(r.output, 40))
	}
	if _, err := ecr.DescribeRepositories(ctx, &awsecr.DescribeRepositoriesInput{RepositoryNames: []string{name}}); err != nil {
		t.Fatalf("the second identical apply did not recreate %s: %s", name, awsenv.Explain(err))
	}
	if again := d.plan(t, src); again[0] != "0" {
		t.Errorf("after the repository was recreated the plan still adds %s", again[0])
	}
}

func TestFresh_SmokeTestOfAnAppThatBrokeFails(t *testing.T) {
	d := newDeployLab(t)
	src := fixture(t, "node-app", nil)
	if r := d.call(t, src, "smoke-test"); r.exitCode != 0 {
		t.Fatalf("smoke-test of the healthy app failed:\n%s", tail(r.output, 30))
	}
	d.app.healthy.Store(false)
	if r := d.call(t, src, "smoke-test"); r.exitCode == 0 || !strings.Contains(r.output, "smoke test of") {
		t.Fatalf("the same smoke-test call against the app that now fails must fail:\n%s", tail(r.output, 30))
	}
}

// A new advisory in the vulnerability DB fails the scan of a source that passed before, with the same call.
func TestFresh_ScanAfterTheDBGainedAMatchingVulnerabilityFails(t *testing.T) {
	requireLab(t)
	src := fixture(t, "scan/vuln-npm", nil) // lodash 4.17.11: CVE-2019-10744 (CRITICAL) once the DB knows it
	db := filepath.Join(t.TempDir(), "trivy-cache")
	build := func(args ...string) {
		t.Helper()
		cmd := exec.Command("go", append([]string{"run", ".", "-out", db}, args...)...)
		cmd.Dir = filepath.Join(repoRoot(t), "hack", "lab", "trivydb")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building the fixture DB: %v\n%s", err, out)
		}
	}
	scan := func() run {
		t.Helper()
		return dagger(t, checkTimeout, "call", "--trivy-db="+db, "--source="+src, "scan")
	}
	build("-without", "CVE-2019-10744")
	if r := scan(); r.exitCode != 0 {
		t.Fatalf("before the advisory the scan should pass:\n%s", tail(r.output, 30))
	}
	build()
	if r := scan(); r.exitCode == 0 || !strings.Contains(r.output, "CVE-2019-10744") {
		t.Fatalf("after the DB gained CVE-2019-10744 the same scan call must fail naming it:\n%s", tail(r.output, 30))
	}
	if err := os.RemoveAll(db); err != nil {
		t.Fatal(err)
	}
}
