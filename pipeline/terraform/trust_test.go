package terraform

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// A small IAM policy evaluator for the tests, because no maintained Go library for it is available through the Go
// module proxy (github.com/micahhausler/aws-iam-policy only parses). It evaluates what this repository's policies
// use, and fails the test on anything else rather than guess:
//
//   - Effect Allow/Deny: allowed when some Allow statement matches and no Deny statement does;
//   - Action / NotAction (case-insensitive, * and ? wildcards), Resource / NotResource (wildcards);
//   - Principal / NotPrincipal absent, "*", or {"AWS"|"Federated"|"Service": one or a list};
//   - Condition operators StringEquals, StringNotEquals, StringLike, StringNotLike, ArnEquals, ArnLike, and the
//     ForAllValues:/ForAnyValue: forms of StringEquals and StringLike, with AWS's semantics for missing keys
//     (a missing key fails every operator except the negated ones and ForAllValues:, which hold vacuously).
//
// Policy variables (${aws:username}) and IfExists are not supported; a policy using them fails the test.

// evalRequest is one request context.
type evalRequest struct {
	// Principal is the caller by type ("AWS", "Federated"); nil for identity policies.
	Principal map[string]string
	Action    string
	Resource  string
	// Context holds the condition keys (lower-cased names are matched case-insensitively).
	Context map[string][]string
}

type strList []string

func (l *strList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = strList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

type evalStatement struct {
	Sid          string
	Effect       string
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Action       strList
	NotAction    strList
	Resource     strList
	NotResource  strList
	Condition    map[string]map[string]strList
}

type evalPolicy struct {
	Statement []evalStatement
}

func (p *evalPolicy) UnmarshalJSON(b []byte) error {
	var raw struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw.Statement) > 0 && raw.Statement[0] == '{' {
		var one evalStatement
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return err
		}
		p.Statement = []evalStatement{one}
		return nil
	}
	return json.Unmarshal(raw.Statement, &p.Statement)
}

// allowed evaluates req against the policy documents (JSON) as one set.
func allowed(t *testing.T, req evalRequest, docs ...string) bool {
	t.Helper()
	allow := false
	for _, doc := range docs {
		var p evalPolicy
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			t.Fatalf("policy is not JSON: %v\n%s", err, doc)
		}
		for _, s := range p.Statement {
			if !statementMatches(t, s, req) {
				continue
			}
			switch s.Effect {
			case "Deny":
				return false
			case "Allow":
				allow = true
			default:
				t.Fatalf("statement %q: effect %q", s.Sid, s.Effect)
			}
		}
	}
	return allow
}

func statementMatches(t *testing.T, s evalStatement, req evalRequest) bool {
	t.Helper()
	switch {
	case len(s.Action) > 0 && !anyGlob(s.Action, req.Action, true):
		return false
	case len(s.NotAction) > 0 && anyGlob(s.NotAction, req.Action, true):
		return false
	case len(s.Resource) > 0 && !anyGlob(s.Resource, req.Resource, false):
		return false
	case len(s.NotResource) > 0 && anyGlob(s.NotResource, req.Resource, false):
		return false
	case len(s.Principal) > 0 && !principalMatches(t, s.Principal, req.Principal):
		return false
	case len(s.NotPrincipal) > 0 && principalMatches(t, s.NotPrincipal, req.Principal):
		return false
	}
	for op, keys := range s.Condition {
		for key, values := range keys {
			got, present := contextValues(req.Context, key)
			if !conditionHolds(t, op, values, got, present) {
				return false
			}
		}
	}
	return true
}

func principalMatches(t *testing.T, raw json.RawMessage, caller map[string]string) bool {
	t.Helper()
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			t.Fatalf("principal %s", raw)
		}
		return true
	}
	var byType map[string]strList
	if err := json.Unmarshal(raw, &byType); err != nil {
		t.Fatalf("principal %s: %v", raw, err)
	}
	for typ, ids := range byType {
		if v, ok := caller[typ]; ok && (slices.Contains(ids, v) || slices.Contains(ids, "*")) {
			return true
		}
	}
	return false
}

func contextValues(ctx map[string][]string, key string) ([]string, bool) {
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func conditionHolds(t *testing.T, op string, want []string, got []string, present bool) bool {
	t.Helper()
	if strings.HasSuffix(op, "IfExists") || strings.Contains(strings.Join(want, ""), "${") {
		t.Fatalf("condition %s %v: not supported by this evaluator", op, want)
	}
	set, base, _ := strings.Cut(op, ":")
	if base == "" {
		set, base = "", op
	}
	var match func(pattern, value string) bool
	negated := false
	switch base {
	case "StringEquals", "ArnEquals":
		match = func(p, v string) bool { return p == v }
	case "StringLike", "ArnLike":
		match = func(p, v string) bool { return glob(p, v, false) }
	case "StringNotEquals":
		match, negated = func(p, v string) bool { return p == v }, true
	case "StringNotLike":
		match, negated = func(p, v string) bool { return glob(p, v, false) }, true
	default:
		t.Fatalf("condition operator %s: not supported by this evaluator", op)
	}
	matchesOne := func(v string) bool { return slices.ContainsFunc(want, func(p string) bool { return match(p, v) }) }
	switch set {
	case "ForAllValues":
		if negated {
			t.Fatalf("condition operator %s: not supported by this evaluator", op)
		}
		return !slices.ContainsFunc(got, func(v string) bool { return !matchesOne(v) })
	case "ForAnyValue":
		if negated {
			t.Fatalf("condition operator %s: not supported by this evaluator", op)
		}
		return slices.ContainsFunc(got, matchesOne)
	case "":
		if !present || len(got) == 0 {
			return negated
		}
		if negated {
			return !matchesOne(got[0])
		}
		return matchesOne(got[0])
	}
	t.Fatalf("condition operator %s: not supported by this evaluator", op)
	return false
}

func anyGlob(patterns []string, value string, fold bool) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return glob(p, value, fold) })
}

// glob matches IAM wildcards: * any run of characters, ? one character.
func glob(pattern, value string, fold bool) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	if fold {
		re = "(?i)" + re
	}
	return regexp.MustCompile(re).MatchString(value)
}

// --- the claims GitHub sends ------------------------------------------------------------------------------------

// oidcIssuer is GitHub Actions' token issuer; IAM names condition keys after it.
const oidcIssuer = "token.actions.githubusercontent.com"

// webIdentity is the request an AssumeRoleWithWebIdentity with a GitHub token makes of a trust policy.
func webIdentity(providerARN, roleARN, sub, aud string) evalRequest {
	return evalRequest{Principal: map[string]string{"Federated": providerARN}, Action: "sts:AssumeRoleWithWebIdentity",
		Resource: roleARN, Context: map[string][]string{oidcIssuer + ":sub": {sub}, oidcIssuer + ":aud": {aud}}}
}

// awsJob is a workflow job that takes AWS credentials, as GitHub would describe it in its OIDC token.
type awsJob struct {
	Workflow, Job string
	// RoleVariable is the `vars.X` named by role-to-assume.
	RoleVariable string
	// Subjects are the sub claims the job's tokens carry: one per event (and branch) it runs on.
	Subjects []string
}

var roleVariable = regexp.MustCompile(`^\$\{\{\s*vars\.([A-Z0-9_]+)\s*\}\}$`)

// awsJobs reads every job of the repository's workflows that uses aws-actions/configure-aws-credentials and works
// out its OIDC subjects with GitHub's default subject template: a job with an environment gets
// repo:<repo>:environment:<name>; without one, pull_request events give repo:<repo>:pull_request and pushes
// repo:<repo>:ref:<ref>.
func awsJobs(t *testing.T, repo string) []awsJob {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", ".github", "workflows", "*.yml"))
	if len(files) == 0 {
		t.Fatal("no workflows found")
	}
	var jobs []awsJob
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		wf, errs := actionlint.Parse(src)
		if wf == nil {
			t.Fatalf("%s: %v", f, errs)
		}
		var events []string
		for _, e := range wf.On {
			switch ev := e.(type) {
			case *actionlint.WebhookEvent:
				if ev.EventName() == "push" {
					for _, b := range ev.Branches.Values {
						events = append(events, "ref:refs/heads/"+b.Value)
					}
					continue
				}
				events = append(events, ev.EventName())
			default:
				events = append(events, e.EventName())
			}
		}
		for id, j := range wf.Jobs {
			for _, s := range j.Steps {
				a, ok := s.Exec.(*actionlint.ExecAction)
				if !ok || !strings.HasPrefix(a.Uses.Value, "aws-actions/configure-aws-credentials@") {
					continue
				}
				in := a.Inputs["role-to-assume"]
				if in == nil || in.Value == nil {
					t.Fatalf("%s job %s: configure-aws-credentials without role-to-assume", f, id)
				}
				m := roleVariable.FindStringSubmatch(in.Value.Value)
				if m == nil {
					t.Fatalf("%s job %s: role-to-assume %q is not ${{ vars.NAME }}", f, id, in.Value.Value)
				}
				job := awsJob{Workflow: filepath.Base(f), Job: id, RoleVariable: m[1]}
				if j.Environment != nil && j.Environment.Name != nil {
					job.Subjects = []string{"repo:" + repo + ":environment:" + j.Environment.Name.Value}
				} else {
					for _, e := range events {
						job.Subjects = append(job.Subjects, "repo:"+repo+":"+e)
					}
				}
				jobs = append(jobs, job)
			}
		}
	}
	slices.SortFunc(jobs, func(a, b awsJob) int { return strings.Compare(a.Workflow+a.Job, b.Workflow+b.Job) })
	return jobs
}

// roleOfVariable maps the workflows' role variables to the roles of modules/github-oidc.
var roleOfVariable = map[string]string{
	"AWS_PLAN_ROLE_ARN":    "plan",
	"AWS_APPLY_ROLE_ARN":   "apply",
	"AWS_RELEASE_ROLE_ARN": "release",
}

// --- tests without AWS ------------------------------------------------------------------------------------------------

func TestEvaluator_FollowsIAMSemantics(t *testing.T) {
	const provider = "arn:aws:iam::123456789012:oidc-provider/" + oidcIssuer
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
		"Principal":{"Federated":"` + provider + `"},
		"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com",
		"token.actions.githubusercontent.com:sub":["repo:o/r:environment:prod"]}}}]}`
	role := "arn:aws:iam::123456789012:role/r"
	for _, c := range []struct {
		name string
		req  evalRequest
		want bool
	}{
		{"matching token", webIdentity(provider, role, "repo:o/r:environment:prod", "sts.amazonaws.com"), true},
		{"other environment", webIdentity(provider, role, "repo:o/r:environment:dev", "sts.amazonaws.com"), false},
		{"other repository", webIdentity(provider, role, "repo:x/r:environment:prod", "sts.amazonaws.com"), false},
		{"other audience", webIdentity(provider, role, "repo:o/r:environment:prod", "sigstore"), false},
		{"other provider", webIdentity(strings.Replace(provider, "1234", "9999", 1), role, "repo:o/r:environment:prod", "sts.amazonaws.com"), false},
		{"no sub at all", evalRequest{Principal: map[string]string{"Federated": provider}, Action: "sts:AssumeRoleWithWebIdentity",
			Context: map[string][]string{oidcIssuer + ":aud": {"sts.amazonaws.com"}}}, false},
		{"AssumeRole is another action", evalRequest{Principal: map[string]string{"AWS": "arn:aws:iam::123456789012:root"},
			Action: "sts:AssumeRole"}, false},
	} {
		if got := allowed(t, c.req, trust); got != c.want {
			t.Errorf("%s: allowed %v, want %v", c.name, got, c.want)
		}
	}

	identity := `{"Statement":[
		{"Effect":"Allow","NotAction":["s3:*","dynamodb:*"],"Resource":"*"},
		{"Effect":"Allow","Action":"S3:Get*","Resource":"arn:aws:s3:::own/*"},
		{"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"arn:aws:dynamodb:eu-west-1:1:table/t",
		 "Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["deploy/dev"]}}},
		{"Effect":"Deny","Action":"iam:DeleteRole","Resource":"arn:aws:iam::1:role/keep"}]}`
	for _, c := range []struct {
		name string
		req  evalRequest
		want bool
	}{
		{"NotAction allows other services", evalRequest{Action: "ec2:RunInstances", Resource: "*"}, true},
		{"NotAction leaves s3 out", evalRequest{Action: "s3:PutObject", Resource: "arn:aws:s3:::own/k"}, false},
		{"actions are case-insensitive", evalRequest{Action: "s3:getobject", Resource: "arn:aws:s3:::own/k"}, true},
		{"resources are not", evalRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::Own/k"}, false},
		{"leading key in the set", evalRequest{Action: "dynamodb:PutItem", Resource: "arn:aws:dynamodb:eu-west-1:1:table/t",
			Context: map[string][]string{"dynamodb:LeadingKeys": {"deploy/dev"}}}, true},
		{"leading key outside the set", evalRequest{Action: "dynamodb:PutItem", Resource: "arn:aws:dynamodb:eu-west-1:1:table/t",
			Context: map[string][]string{"dynamodb:LeadingKeys": {"deploy/prod"}}}, false},
		{"explicit deny wins", evalRequest{Action: "iam:DeleteRole", Resource: "arn:aws:iam::1:role/keep"}, false},
		{"deny is scoped", evalRequest{Action: "iam:DeleteRole", Resource: "arn:aws:iam::1:role/other"}, true},
	} {
		if got := allowed(t, c.req, identity); got != c.want {
			t.Errorf("%s: allowed %v, want %v", c.name, got, c.want)
		}
	}
}

// Every job that takes AWS credentials names one of the three roles, and the subjects its tokens carry are the
// ones the roles are built for: plan on pull requests without an environment, apply from <env>-infra, release
// from <env>. The applied trust policies are checked against these same subjects in identity_test.go.
func TestWorkflows_AWSJobsUseTheRoleForTheirSubject(t *testing.T) {
	const repo = "o/r"
	jobs := awsJobs(t, repo)
	got := map[string][]string{}
	for _, j := range jobs {
		role, ok := roleOfVariable[j.RoleVariable]
		if !ok {
			t.Errorf("%s job %s assumes vars.%s: use one of AWS_PLAN_ROLE_ARN, AWS_APPLY_ROLE_ARN, AWS_RELEASE_ROLE_ARN", j.Workflow, j.Job, j.RoleVariable)
			continue
		}
		got[role] = append(got[role], j.Subjects...)
	}
	want := map[string][]string{
		"plan":    {"repo:o/r:pull_request"},
		"apply":   {"repo:o/r:environment:prod-infra"},
		"release": {"repo:o/r:environment:prod"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("subjects by role:\n got %v\nwant %v\n(jobs: %+v)", got, want, jobs)
	}
}

// Each environment's state lives in its own bucket and lock table, named as the root module derives them for the
// CI roles' policies (<app>-terraform-state-<env>, <app>-terraform-locks-<env>, key <app>/<env>/terraform.tfstate).
func TestBackends_EachEnvironmentHasItsOwnStateBucketAndLockTable(t *testing.T) {
	envs, err := Environments(infraDir)
	if err != nil {
		t.Fatal(err)
	}
	buckets, tables := map[string]string{}, map[string]string{}
	for _, env := range envs {
		file := filepath.Join(infraDir, BackendFile(env))
		bucket, key, table := hclString(t, file, "bucket"), hclString(t, file, "key"), hclString(t, file, "dynamodb_table")
		app := hclString(t, filepath.Join(infraDir, VarFile(env)), "app_name")
		if bucket != app+"-terraform-state-"+env || table != app+"-terraform-locks-"+env || key != app+"/"+env+"/terraform.tfstate" {
			t.Errorf("%s: bucket %s, key %s, table %s; want %s-terraform-state-%s, %s/%s/terraform.tfstate, %s-terraform-locks-%s",
				file, bucket, key, table, app, env, app, env, app, env)
		}
		if other, dup := buckets[bucket]; dup {
			t.Errorf("%s and %s share the state bucket %s", env, other, bucket)
		}
		if other, dup := tables[table]; dup {
			t.Errorf("%s and %s share the lock table %s", env, other, table)
		}
		buckets[bucket], tables[table] = env, env
	}
	// The account stack's state may share prod's bucket, under a key no environment's role is given.
	account := filepath.Join(infraDir, "account", "account.backend.hcl")
	if key := hclString(t, account, "key"); strings.Contains(key, "/prod/") || strings.Contains(key, "/dev/") || strings.Contains(key, "/staging/") {
		t.Errorf("%s: key %s is inside an environment's state prefix", account, key)
	}
}
