package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
	"github.com/pixelsandpetals/delivery/pipeline/bootstrap"
)

// identityBudget bounds the IAM-enforced test: two small applies (the account stack, the roles of two
// environments) and a plan on moto, about a minute on 2 shared cores.
const identityBudget = 8 * time.Minute

// motoAccount is moto's default account id.
const motoAccount = testkit.Account

// ciEnv is one environment's names as the test builds them: its backend from the committed backend file, its app
// resources named like the root module names them.
type ciEnv struct {
	name                   string
	bucket, key, table     string
	repo, cluster, service string
	staticBucket, distID   string
	roles                  map[string]string // plan, apply, release → ARN
}

func (e *ciEnv) tableARN() string {
	return "arn:aws:dynamodb:" + testkit.Region + ":" + motoAccount + ":table/" + e.table
}

func (e *ciEnv) serviceARN() string {
	return "arn:aws:ecs:" + testkit.Region + ":" + motoAccount + ":service/" + e.cluster + "/" + e.service
}

func newCIEnv(t *testing.T, dir, env string) *ciEnv {
	t.Helper()
	file := filepath.Join(dir, BackendFile(env))
	name := "pixelsandpetals-" + env
	return &ciEnv{name: env, bucket: hclString(t, file, "bucket"), key: hclString(t, file, "key"), table: hclString(t, file, "dynamodb_table"),
		repo: name, cluster: name, service: name, staticBucket: name + "-static-" + motoAccount, distID: "E" + strings.ToUpper(env) + "DIST"}
}

// The CI roles, applied by Terraform on a moto that enforces IAM, then used through sts:AssumeRole with real SDK
// calls: each may do its job and is refused (AccessDenied) the rest; no environment's credentials reach another
// environment's state; the trust policies read back from IAM admit exactly the workflows' tokens.
func TestIdentity_CIRolesUnderIAMEnforcement(t *testing.T) {
	if testing.Short() {
		t.Skip("applies the CI roles on an IAM-enforcing moto (about a minute); skipped with -short")
	}
	if deadline, ok := t.Deadline(); ok && time.Until(deadline) < identityBudget+time.Minute {
		msg := fmt.Sprintf("needs go test -timeout of at least %s, have %s", identityBudget+2*time.Minute, time.Until(deadline).Round(time.Second))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), identityBudget)
	defer cancel()
	r := projectRunner(t)

	m := testkit.StartEnforcedMoto(t)
	admin := m.Config(t, m.Admin)
	adminARN := m.AdminARN()

	dev, prod := newCIEnv(t, r.Dir, "dev"), newCIEnv(t, r.Dir, "prod")
	step := func(name string, f func() error) {
		t.Helper()
		start := time.Now()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("%-22s %s", name, time.Since(start).Round(100*time.Millisecond))
	}
	step("state backends", func() error { return makeBackends(ctx, admin, dev, prod) })
	step("dev app resources", func() error { return makeAppResources(ctx, admin, dev) })

	logPath := filepath.Join(t.TempDir(), "terraform.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = logf.Close() }() // terraform's log, read back by path for failure messages only
	tf := func(dir string, creds aws.Credentials) *Runner {
		return &Runner{Dir: dir, CLIConfig: r.CLIConfig, Env: enforcedEnv(t, m, creds), Stdout: logf}
	}
	adminCreds := m.Admin
	tfStep := func(name string, f func() error) {
		t.Helper()
		step(name, func() error {
			if err := f(); err != nil {
				return fmt.Errorf("%w\n--- last lines of terraform's output ---\n%s", err, testkit.TailOfFile(logPath, 30))
			}
			return nil
		})
	}

	// The account stack, as an administrator applies it: the one GitHub OIDC provider.
	account := tf(filepath.Join(r.Dir, "account"), adminCreds)
	account.Vars = map[string]string{"aws_region": testkit.Region}
	writeFile(t, filepath.Join(account.Dir, "backend_override.tf"), "terraform {\n  backend \"local\" {}\n}\n")
	tfStep("account: init", func() error {
		return account.Init(ctx, Backend{Settings: map[string]string{"path": filepath.Join(account.Dir, "terraform.tfstate")}})
	})
	tfStep("account: plan+apply", func() error {
		if _, err := account.Plan(ctx, "account.tfvars", "account.tfplan"); err != nil {
			return err
		}
		return account.Apply(ctx, "account.tfplan")
	})

	// The roles of dev and prod through modules/github-oidc, exactly as the root module wires them; the state goes to
	// dev's state bucket like dev's own would.
	id := tf(filepath.Join(r.Dir, "ci-identity-test"), adminCreds)
	writeFile(t, filepath.Join(id.Dir, "main.tf"), identityRoot(dev, prod))
	writeFile(t, filepath.Join(id.Dir, "test.tfvars"), "")
	lock, err := os.ReadFile(filepath.Join(r.Dir, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(id.Dir, ".terraform.lock.hcl"), string(lock))
	backend := Backend{Settings: map[string]string{"bucket": dev.bucket, "key": dev.key, "dynamodb_table": dev.table,
		"region": testkit.Region, "use_path_style": "true"}}
	tfStep("roles: init", func() error { return id.Init(ctx, backend) })
	tfStep("roles: plan+apply", func() error {
		if _, err := id.Plan(ctx, "test.tfvars", "roles.tfplan"); err != nil {
			return err
		}
		return id.Apply(ctx, "roles.tfplan")
	})
	var outputs map[string]struct {
		Value map[string]string `json:"value"`
	}
	js, err := id.run(ctx, true, "output", "-json", "-no-color")
	if err != nil || json.Unmarshal(js, &outputs) != nil {
		t.Fatalf("terraform output: %v\n%s", err, js)
	}
	dev.roles, prod.roles = outputs["dev_roles"].Value, outputs["prod_roles"].Value
	if len(dev.roles) != 3 || len(prod.roles) != 3 {
		t.Fatalf("outputs %s", js)
	}
	// moto cannot check AssumeRoleWithWebIdentity under enforcement: the administrator is trusted as well, so the
	// test gets credentials of exactly these roles through AssumeRole.
	for _, e := range []*ciEnv{dev, prod} {
		for _, arn := range e.roles {
			if err := testkit.TrustAlso(ctx, admin, roleName(arn), adminARN); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A prod state next to the account stack's, for the cross-environment checks.
	if _, err := awsenv.S3(admin).PutObject(ctx, &s3.PutObjectInput{Bucket: &prod.bucket, Key: &prod.key,
		Body: strings.NewReader(`{"version":4,"serial":1,"lineage":"prod","outputs":{},"resources":[]}`)}); err != nil {
		t.Fatal(err)
	}

	as := func(e *ciEnv, role string) aws.Config {
		t.Helper()
		creds, err := testkit.AssumeRole(ctx, admin, e.roles[role], "test-"+role)
		if err != nil {
			t.Fatalf("AssumeRole %s %s: %v", e.name, role, err)
		}
		cfg := admin.Copy()
		cfg.Credentials = testkit.StaticCreds(creds)
		return cfg
	}
	credsOf := func(cfg aws.Config) aws.Credentials {
		c, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	t.Run("plan role reads the state and takes the state lock, and writes nothing", func(t *testing.T) {
		cfg := as(dev, "plan")
		// terraform plan itself: init and plan read the state, take the lock in DynamoDB, refresh, release it.
		planner := tf(id.Dir, credsOf(cfg))
		tfStep("plan role: terraform plan", func() error {
			if err := planner.Init(ctx, backend); err != nil {
				return err
			}
			_, err := planner.Plan(ctx, "test.tfvars", "plan-role.tfplan")
			return err
		})
		c := calls{ctx: ctx, t: t, cfg: cfg}
		c.allow("s3:GetObject state", c.getObject(dev.bucket, dev.key))
		c.allow("dynamodb:PutItem state lock", c.putItem(dev.table, dev.bucket+"/"+dev.key))
		c.allow("dynamodb:GetItem state lock", c.getItem(dev.table, dev.bucket+"/"+dev.key))
		c.allow("dynamodb:DeleteItem state lock", c.deleteItem(dev.table, dev.bucket+"/"+dev.key))
		c.deny("s3:PutObject state", c.putObject(dev.bucket, dev.key))
		c.deny("s3:DeleteObject state", c.deleteObject(dev.bucket, dev.key))
		c.deny("ecs:UpdateService", c.updateService(dev))
		c.deny("ecr:PutImage", c.putImage(dev.repo))
		c.deny("iam:CreateRole", c.iam("CreateRole", url.Values{"RoleName": {"escalate"}, "AssumeRolePolicyDocument": {trustAnyone}}))
		c.deny("iam:PutRolePolicy on itself", c.iam("PutRolePolicy", url.Values{"RoleName": {roleName(dev.roles["plan"])},
			"PolicyName": {"more"}, "PolicyDocument": {allowAll}}))
		c.deny("s3:PutObject static bucket", c.putObject(dev.staticBucket, "index.html"))
		c.deny("cloudfront:CreateInvalidation", c.invalidate(dev.distID))
	})

	t.Run("release role makes every release call and no other", func(t *testing.T) {
		cfg := as(dev, "release")
		c := calls{ctx: ctx, t: t, cfg: cfg}
		c.allow("ecr:GetAuthorizationToken", c.ecrLogin())
		c.allow("ecr:PutImage app repository", c.putImage(dev.repo))
		c.allow("ecr:DescribeImages app repository", c.describeImages(dev.repo))
		c.allow("ecs:RegisterTaskDefinition", c.registerTaskDefinition(dev))
		c.allow("ecs:UpdateService", c.updateService(dev))
		c.allow("ecs:DescribeServices", c.describeService(dev))
		c.allow("s3:PutObject assets/", c.putObject(dev.staticBucket, "assets/app.3f9a1c.js"))
		c.allow("s3:PutObject .releases/", c.putObject(dev.staticBucket, ".releases/test.json"))
		c.allow("s3:PutObject index.html", c.putObject(dev.staticBucket, "index.html"))
		c.allow("s3:ListObjectsV2 static bucket", c.list(dev.staticBucket))
		c.allow("s3:DeleteObject static bucket", c.deleteObject(dev.staticBucket, "assets/app.3f9a1c.js"))
		c.allow("cloudfront:CreateInvalidation", c.invalidate(dev.distID))
		c.allow("dynamodb:PutItem deploy lock", c.putItem(dev.table, "deploy/dev"))
		c.allow("dynamodb:UpdateItem deploy lock", c.updateItem(dev.table, "deploy/dev"))
		c.allow("dynamodb:GetItem deploy lock", c.getItem(dev.table, "deploy/dev"))
		c.allow("dynamodb:DeleteItem deploy lock", c.deleteItem(dev.table, "deploy/dev"))
		c.allow("s3:GetObject state", c.getObject(dev.bucket, dev.key))
		// terraform output -json: what the release reads its targets with (state object and checksum item).
		reader := tf(id.Dir, credsOf(cfg))
		c.allow("terraform init + output", func() error {
			if err := reader.Init(ctx, backend); err != nil {
				return err
			}
			_, err := reader.run(ctx, true, "output", "-json", "-no-color")
			return err
		}())
		c.deny("s3:PutObject state", c.putObject(dev.bucket, dev.key))
		c.deny("iam:CreateRole", c.iam("CreateRole", url.Values{"RoleName": {"escalate"}, "AssumeRolePolicyDocument": {trustAnyone}}))
		c.deny("iam:PutRolePolicy on itself", c.iam("PutRolePolicy", url.Values{"RoleName": {roleName(dev.roles["release"])},
			"PolicyName": {"more"}, "PolicyDocument": {allowAll}}))
		c.deny("iam:AttachRolePolicy on itself", c.iam("AttachRolePolicy", url.Values{"RoleName": {roleName(dev.roles["release"])},
			"PolicyArn": {"arn:aws:iam::aws:policy/AdministratorAccess"}}))
		c.deny("ecr:PutImage prod repository", c.putImage(prod.repo))
		c.deny("ecs:UpdateService prod service", c.updateService(prod))
		c.deny("cloudfront:CreateInvalidation prod distribution", c.invalidate(prod.distID))
		c.deny("dynamodb:PutItem prod lock table", c.putItem(prod.table, "deploy/prod"))
		c.deny("s3:PutObject prod static bucket", c.putObject(prod.staticBucket, "index.html"))
		c.deny("s3:PutObject state bucket outside the state", c.putObject(dev.bucket, "assets/x.js"))
	})

	t.Run("apply role is broad but fenced to its environment's state", func(t *testing.T) {
		cfg := as(dev, "apply")
		c := calls{ctx: ctx, t: t, cfg: cfg}
		c.allow("iam:CreateRole", c.iam("CreateRole", url.Values{"RoleName": {"pixelsandpetals-dev-new"}, "AssumeRolePolicyDocument": {trustAnyone}}))
		c.allow("iam:DeleteRole", c.iam("DeleteRole", url.Values{"RoleName": {"pixelsandpetals-dev-new"}}))
		c.allow("s3:GetObject state", c.getObject(dev.bucket, dev.key))
		c.allow("dynamodb:PutItem state lock", c.putItem(dev.table, dev.bucket+"/"+dev.key))
		c.allow("dynamodb:DeleteItem state lock", c.deleteItem(dev.table, dev.bucket+"/"+dev.key))
		c.allow("ecs:UpdateService", c.updateService(dev))
		c.allow("s3:PutObject own bucket", c.putObject(dev.staticBucket, "probe"))
		c.deny("s3:PutObject prod state", c.putObject(prod.bucket, prod.key))
		c.deny("dynamodb:PutItem prod lock table", c.putItem(prod.table, prod.bucket+"/"+prod.key))
		c.deny("s3:PutObject another environment's bucket", c.putObject(prod.staticBucket, "index.html"))

		// prod's apply role: its own state, not the account stack's next to it.
		p := calls{ctx: ctx, t: t, cfg: as(prod, "apply")}
		p.allow("prod apply: s3:GetObject prod state", p.getObject(prod.bucket, prod.key))
		p.deny("prod apply: s3:GetObject account state", p.getObject(prod.bucket, "pixelsandpetals/account/terraform.tfstate"))
	})

	t.Run("no environment's credentials reach another environment's state", func(t *testing.T) {
		for _, pair := range [][2]*ciEnv{{dev, prod}, {prod, dev}} {
			from, to := pair[0], pair[1]
			for _, role := range []string{"plan", "apply", "release"} {
				c := calls{ctx: ctx, t: t, cfg: as(from, role)}
				what := from.name + " " + role + " → " + to.name + " state: "
				c.deny(what+"s3:GetObject", c.getObject(to.bucket, to.key))
				c.deny(what+"s3:ListBucket", c.list(to.bucket))
				c.deny(what+"dynamodb:GetItem checksum", c.getItem(to.table, to.bucket+"/"+to.key+"-md5"))
			}
		}
	})

	t.Run("only trusted principals assume the roles", func(t *testing.T) {
		a := calls{ctx: ctx, t: t, cfg: admin}
		a.allow("create user intruder", a.iam("CreateUser", url.Values{"UserName": {"intruder"}}))
		a.allow("give intruder AdministratorAccess", a.iam("PutUserPolicy", url.Values{"UserName": {"intruder"},
			"PolicyName": {"AdministratorAccess"}, "PolicyDocument": {allowAll}}))
		var k struct {
			ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
			Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
		}
		if err := testkit.IAMCall(ctx, admin, "CreateAccessKey", url.Values{"UserName": {"intruder"}}, &k); err != nil {
			t.Fatal(err)
		}
		intruder := m.Config(t, aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret})
		for _, e := range []*ciEnv{dev, prod} {
			for role, arn := range e.roles {
				if _, err := testkit.AssumeRole(ctx, intruder, arn, "intruder"); !testkit.AccessDenied(err) {
					t.Errorf("an administrator the trust policy does not name assumed %s's %s role: %v", e.name, role, err)
				}
			}
		}
	})

	t.Run("trust policies admit exactly the workflows' tokens", func(t *testing.T) {
		provider := "arn:aws:iam::" + motoAccount + ":oidc-provider/" + oidcIssuer
		const repo = "pixelsandpetals/pixelsandpetals"
		trust := map[string]string{} // env/role → applied trust policy, read back from IAM
		for _, e := range []*ciEnv{dev, prod} {
			for role, arn := range e.roles {
				var out struct {
					Doc string `xml:"GetRoleResult>Role>AssumeRolePolicyDocument"`
				}
				if err := testkit.IAMCall(ctx, admin, "GetRole", url.Values{"RoleName": {roleName(arn)}}, &out); err != nil {
					t.Fatal(err)
				}
				doc, err := url.QueryUnescape(out.Doc)
				if err != nil {
					doc = out.Doc
				}
				trust[e.name+"/"+role] = doc
			}
		}
		admits := func(envRole, sub, aud string) bool {
			e, role, _ := strings.Cut(envRole, "/")
			arn := map[string]*ciEnv{"dev": dev, "prod": prod}[e].roles[role]
			return allowed(t, webIdentity(provider, arn, sub, aud), trust[envRole])
		}
		// Each workflow job's tokens are admitted by its own role and by no other: the apply and release jobs by
		// prod's role of their kind only (they run in prod's GitHub environments); the pull-request plan job by
		// every environment's plan role (a pull request may plan any environment; plan.yml plans prod).
		jobs := awsJobs(t, repo)
		if len(jobs) != 3 {
			t.Fatalf("want the plan, infra and release jobs, got %+v", jobs)
		}
		for _, j := range jobs {
			role := roleOfVariable[j.RoleVariable]
			for _, sub := range j.Subjects {
				for envRole := range trust {
					want := envRole == "prod/"+role || (role == "plan" && strings.HasSuffix(envRole, "/plan"))
					if got := admits(envRole, sub, "sts.amazonaws.com"); got != want {
						t.Errorf("%s job %s (sub %s): %s admits it: %v, want %v", j.Workflow, j.Job, sub, envRole, got, want)
					}
				}
				if admits("prod/"+role, sub, "sigstore") {
					t.Errorf("%s job %s: a token for another audience is admitted", j.Workflow, j.Job)
				}
			}
		}
		// Tokens of other repositories, environments, branches and events are refused by every role.
		for _, sub := range []string{
			"repo:someone/pixelsandpetals:pull_request", "repo:someone/pixelsandpetals:environment:prod",
			"repo:someone/pixelsandpetals:environment:prod-infra", "repo:pixelsandpetals/pixelsandpetals-fork:environment:prod",
			"repo:pixelsandpetals/pixelsandpetals:environment:staging", "repo:pixelsandpetals/pixelsandpetals:environment:prod-other",
			"repo:pixelsandpetals/pixelsandpetals:ref:refs/heads/main", "repo:pixelsandpetals/pixelsandpetals:ref:refs/heads/feature",
			"repo:pixelsandpetals/pixelsandpetals:environment:prod:ref:refs/heads/main", "repo:pixelsandpetals/*",
		} {
			for envRole := range trust {
				if admits(envRole, sub, "sts.amazonaws.com") {
					t.Errorf("%s admits sub %s", envRole, sub)
				}
			}
		}
		// dev's roles answer dev's environments only.
		for role, sub := range map[string]string{"apply": "repo:" + repo + ":environment:dev-infra", "release": "repo:" + repo + ":environment:dev"} {
			if !admits("dev/"+role, sub, "sts.amazonaws.com") || admits("prod/"+role, sub, "sts.amazonaws.com") {
				t.Errorf("sub %s: want dev's %s role only", sub, role)
			}
		}
	})

	t.Run("conditions moto does not evaluate: the lock items each role may touch", func(t *testing.T) {
		policy := func(e *ciEnv, role string) string {
			var out struct {
				Doc string `xml:"GetRolePolicyResult>PolicyDocument"`
			}
			if err := testkit.IAMCall(ctx, admin, "GetRolePolicy", url.Values{"RoleName": {roleName(e.roles[role])},
				"PolicyName": {role + "-" + e.name}}, &out); err != nil {
				t.Fatal(err)
			}
			doc, err := url.QueryUnescape(out.Doc)
			if err != nil {
				doc = out.Doc
			}
			return doc
		}
		item := func(action, table, leadingKey string) evalRequest {
			return evalRequest{Action: action, Resource: "arn:aws:dynamodb:" + testkit.Region + ":" + motoAccount + ":table/" + table,
				Context: map[string][]string{"dynamodb:LeadingKeys": {leadingKey}}}
		}
		lockID := dev.bucket + "/" + dev.key
		for _, c := range []struct {
			role, action, key string
			want              bool
		}{
			{"plan", "dynamodb:PutItem", lockID, true},
			{"plan", "dynamodb:DeleteItem", lockID, true},
			{"plan", "dynamodb:GetItem", lockID + "-md5", true},
			{"plan", "dynamodb:PutItem", lockID + "-md5", false},
			{"plan", "dynamodb:PutItem", "deploy/dev", false},
			{"release", "dynamodb:PutItem", "deploy/dev", true},
			{"release", "dynamodb:UpdateItem", "deploy/dev", true},
			{"release", "dynamodb:DeleteItem", "deploy/dev", true},
			{"release", "dynamodb:GetItem", lockID + "-md5", true},
			{"release", "dynamodb:PutItem", lockID, false},
			{"release", "dynamodb:DeleteItem", lockID, false},
			{"release", "dynamodb:PutItem", "deploy/prod", false},
		} {
			if got := allowed(t, item(c.action, dev.table, c.key), policy(dev, c.role)); got != c.want {
				t.Errorf("dev %s role, %s on item %q: allowed %v, want %v", c.role, c.action, c.key, got, c.want)
			}
		}
		pass := evalRequest{Action: "iam:PassRole", Resource: "arn:aws:iam::" + motoAccount + ":role/pixelsandpetals-dev-task",
			Context: map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}}}
		if allowed(t, pass, policy(dev, "release")) {
			t.Error("release role may pass the task role to a service other than ECS tasks")
		}
	})
}

const (
	allowAll    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	trustAnyone = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`
)

func roleName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// identityRoot is a root module with the CI roles of two environments, wired like infra/terraform/main.tf wires
// its one.
func identityRoot(envs ...*ciEnv) string {
	var b strings.Builder
	b.WriteString(`terraform {
  required_version = ">= 1.11"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
  backend "s3" {}
}

provider "aws" {
  region            = "` + testkit.Region + `"
  s3_use_path_style = true
}
`)
	for _, e := range envs {
		name := "pixelsandpetals-" + e.name
		fmt.Fprintf(&b, `
module "%[1]s" {
  source                      = "../modules/github-oidc"
  name                        = "%[2]s"
  environment                 = "%[1]s"
  github_repository           = "pixelsandpetals/pixelsandpetals"
  oidc_provider_arn           = "arn:aws:iam::%[3]s:oidc-provider/token.actions.githubusercontent.com"
  apply_environment           = "%[1]s-infra"
  release_environment         = "%[1]s"
  state_bucket                = "%[4]s"
  state_key                   = "%[5]s"
  lock_table_arn              = "%[6]s"
  ecr_repository_arn          = "arn:aws:ecr:%[7]s:%[3]s:repository/%[8]s"
  cluster_arn                 = "arn:aws:ecs:%[7]s:%[3]s:cluster/%[9]s"
  service_arn                 = "%[10]s"
  pass_role_arns              = ["arn:aws:iam::%[3]s:role/%[2]s-task", "arn:aws:iam::%[3]s:role/%[2]s-task-execution"]
  static_bucket_arn           = "arn:aws:s3:::%[11]s"
  distribution_arn            = "arn:aws:cloudfront::%[3]s:distribution/%[12]s"
}

output "%[1]s_roles" {
  value = {
    plan    = module.%[1]s.plan_role_arn
    apply   = module.%[1]s.apply_role_arn
    release = module.%[1]s.release_role_arn
  }
}
`, e.name, name, motoAccount, e.bucket, e.key, e.tableARN(), testkit.Region, e.repo, e.cluster, e.serviceARN(),
			e.staticBucket, e.distID)
	}
	return b.String()
}

// makeBackends creates each environment's state bucket and lock table with the pipeline's bootstrap.
func makeBackends(ctx context.Context, admin aws.Config, envs ...*ciEnv) error {
	for _, e := range envs {
		if _, err := bootstrap.Ensure(ctx, awsenv.S3(admin), dynamodb.NewFromConfig(admin), bootstrap.Options{
			Bucket: e.bucket, LockTable: e.table, Region: testkit.Region, AllowPlainHTTP: true, WaitTimeout: time.Minute}); err != nil {
			return err
		}
	}
	return nil
}

// makeAppResources creates what the release touches: repository, cluster and service, static bucket, distribution.
func makeAppResources(ctx context.Context, admin aws.Config, e *ciEnv) error {
	if _, err := ecr.NewFromConfig(admin).CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: &e.repo}); err != nil {
		return err
	}
	ecsc := ecs.NewFromConfig(admin)
	if _, err := ecsc.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: &e.cluster}); err != nil {
		return err
	}
	td, err := ecsc.RegisterTaskDefinition(ctx, taskDefinition(e))
	if err != nil {
		return err
	}
	svc, err := ecsc.CreateService(ctx, &ecs.CreateServiceInput{Cluster: &e.cluster, ServiceName: &e.service,
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate})
	if err != nil {
		return err
	}
	if got := aws.ToString(svc.Service.ServiceArn); got != e.serviceARN() {
		return fmt.Errorf("moto named the service %s, the test expects %s", got, e.serviceARN())
	}
	if _, err := awsenv.S3(admin).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &e.staticBucket,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(testkit.Region)}}); err != nil {
		return err
	}
	cf := cloudfront.NewFromConfig(admin)
	out, err := cf.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String(e.name), Comment: aws.String("static"), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{
			Id: aws.String("s3"), DomainName: aws.String(e.staticBucket + ".s3." + testkit.Region + ".amazonaws.com"),
			S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("s3"),
			ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
			//nolint:staticcheck // SA1019: with no CachePolicyId, CloudFront (and moto) want the legacy MinTTL/ForwardedValues
			MinTTL: aws.Int64(0), ForwardedValues: &cftypes.ForwardedValues{QueryString: aws.Bool(false),
				Cookies: &cftypes.CookiePreference{Forward: cftypes.ItemSelectionNone}}},
	}})
	if err != nil {
		return err
	}
	e.distID = aws.ToString(out.Distribution.Id)
	return nil
}

func taskDefinition(e *ciEnv) *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{Family: aws.String("pixelsandpetals-" + e.name), NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx:stable-alpine"), Essential: aws.Bool(true)}}}
}

// calls makes one SDK call per method with the credentials in cfg; allow and deny check the outcome.
type calls struct {
	ctx context.Context
	t   *testing.T
	cfg aws.Config
}

func (c calls) allow(what string, err error) {
	c.t.Helper()
	if err != nil {
		c.t.Errorf("%s: want allowed, got %s", what, awsenv.Explain(err))
	}
}

func (c calls) deny(what string, err error) {
	c.t.Helper()
	if !testkit.AccessDenied(err) {
		c.t.Errorf("%s: want AccessDenied, got %v", what, err)
	}
}

func (c calls) iam(action string, params url.Values) error {
	return testkit.IAMCall(c.ctx, c.cfg, action, params, nil)
}

func (c calls) getObject(bucket, key string) error {
	out, err := awsenv.S3(c.cfg).GetObject(c.ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err == nil {
		_, _ = io.Copy(io.Discard, out.Body)
		_ = out.Body.Close()
	}
	return err
}

func (c calls) putObject(bucket, key string) error {
	_, err := awsenv.S3(c.cfg).PutObject(c.ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader([]byte("x"))})
	return err
}

func (c calls) deleteObject(bucket, key string) error {
	_, err := awsenv.S3(c.cfg).DeleteObject(c.ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	return err
}

func (c calls) list(bucket string) error {
	_, err := awsenv.S3(c.cfg).ListObjectsV2(c.ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	return err
}

func lockKey(id string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{"LockID": &ddbtypes.AttributeValueMemberS{Value: id}}
}

func (c calls) putItem(table, id string) error {
	_, err := dynamodb.NewFromConfig(c.cfg).PutItem(c.ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]ddbtypes.AttributeValue{
		"LockID": &ddbtypes.AttributeValueMemberS{Value: id}, "Holder": &ddbtypes.AttributeValueMemberS{Value: "test"}},
		ConditionExpression: aws.String("attribute_not_exists(LockID)")})
	return err
}

func (c calls) updateItem(table, id string) error {
	_, err := dynamodb.NewFromConfig(c.cfg).UpdateItem(c.ctx, &dynamodb.UpdateItemInput{TableName: &table, Key: lockKey(id),
		UpdateExpression: aws.String("SET Holder = :h"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":h": &ddbtypes.AttributeValueMemberS{Value: "test, extended"}}})
	return err
}

func (c calls) getItem(table, id string) error {
	_, err := dynamodb.NewFromConfig(c.cfg).GetItem(c.ctx, &dynamodb.GetItemInput{TableName: &table, Key: lockKey(id)})
	return err
}

func (c calls) deleteItem(table, id string) error {
	_, err := dynamodb.NewFromConfig(c.cfg).DeleteItem(c.ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: lockKey(id)})
	return err
}

func (c calls) ecrLogin() error {
	_, err := ecr.NewFromConfig(c.cfg).GetAuthorizationToken(c.ctx, &ecr.GetAuthorizationTokenInput{})
	return err
}

// testManifest is a minimal Docker image manifest: enough for ECR's PutImage.
const testManifest = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}]}`

func (c calls) putImage(repo string) error {
	_, err := ecr.NewFromConfig(c.cfg).PutImage(c.ctx, &ecr.PutImageInput{RepositoryName: &repo,
		ImageManifest: aws.String(testManifest), ImageTag: aws.String(fmt.Sprintf("t%d", time.Now().UnixNano()))})
	return err
}

func (c calls) describeImages(repo string) error {
	_, err := ecr.NewFromConfig(c.cfg).DescribeImages(c.ctx, &ecr.DescribeImagesInput{RepositoryName: &repo})
	return err
}

func (c calls) registerTaskDefinition(e *ciEnv) error {
	_, err := ecs.NewFromConfig(c.cfg).RegisterTaskDefinition(c.ctx, taskDefinition(e))
	return err
}

func (c calls) updateService(e *ciEnv) error {
	_, err := ecs.NewFromConfig(c.cfg).UpdateService(c.ctx, &ecs.UpdateServiceInput{Cluster: &e.cluster, Service: &e.service,
		TaskDefinition: aws.String("pixelsandpetals-" + e.name)})
	return err
}

func (c calls) describeService(e *ciEnv) error {
	_, err := ecs.NewFromConfig(c.cfg).DescribeServices(c.ctx, &ecs.DescribeServicesInput{Cluster: &e.cluster, Services: []string{e.service}})
	return err
}

func (c calls) invalidate(distID string) error {
	_, err := cloudfront.NewFromConfig(c.cfg).CreateInvalidation(c.ctx, &cloudfront.CreateInvalidationInput{DistributionId: &distID,
		InvalidationBatch: &cftypes.InvalidationBatch{CallerReference: aws.String(fmt.Sprint(time.Now().UnixNano())),
			Paths: &cftypes.Paths{Quantity: aws.Int32(1), Items: []string{"/index.html"}}}})
	return err
}
