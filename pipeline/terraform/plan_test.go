package terraform

import (
	"os"
	"strings"
	"testing"
)

func TestParsePlan_SortsManagedResourcesByAction(t *testing.T) {
	data, err := os.ReadFile("testdata/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParsePlan(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"add":     {`module.s3.aws_s3_bucket.this["static"]`, "module.waf[0].aws_wafv2_web_acl.this"},
		"change":  {"module.cloudfront.aws_cloudfront_distribution.this"},
		"destroy": {"module.database[0].aws_db_instance.this", "module.dns.aws_acm_certificate.alb (deposed 00a1b2c3)"},
		"replace": {"module.alb.aws_lb_target_group.app", "module.dns.aws_acm_certificate.alb"},
	}
	got := map[string][]string{"add": s.Add, "change": s.Change, "destroy": s.Destroy, "replace": s.Replace}
	for action, w := range want {
		if strings.Join(got[action], "\n") != strings.Join(w, "\n") {
			t.Errorf("%s: got %q, want %q", action, got[action], w)
		}
	}
	if s.Counts() != "2 to add, 1 to change, 2 to destroy, 2 to replace" || s.Empty() || s.TerraformVersion != "1.11.4" {
		t.Errorf("summary %q empty=%v version=%q", s.Counts(), s.Empty(), s.TerraformVersion)
	}
}

func TestParsePlan_NoChangesIsEmpty(t *testing.T) {
	s, err := ParsePlan([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","mode":"managed","change":{"actions":["no-op"]}}]}`))
	if err != nil || !s.Empty() {
		t.Fatalf("empty=%v err=%v", s.Empty(), err)
	}
}

func TestParsePlan_RefusesWhatItCannotSummarise(t *testing.T) {
	for name, in := range map[string]string{
		"unknown action": `{"format_version":"1.2","resource_changes":[{"address":"a.b","mode":"managed","change":{"actions":["teleport"]}}]}`,
		"not a plan":     `{"format_version":"0.1"}`,
		"not JSON":       `Plan: 1 to add`,
	} {
		if _, err := ParsePlan([]byte(in)); err == nil {
			t.Errorf("%s: expected an error", name)
		}
	}
}
