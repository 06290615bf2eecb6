package terraform

import (
	"strings"
	"testing"
)

func TestGuardDestroy(t *testing.T) {
	destructive := PlanSummary{
		Add:     []string{"aws_s3_bucket.new"},
		Destroy: []string{"module.database[0].aws_db_instance.this"},
		Replace: []string{"module.alb.aws_lb_target_group.app"},
	}
	harmless := PlanSummary{Add: []string{"aws_s3_bucket.new"}, Change: []string{"aws_ecs_cluster.this"}}
	cases := []struct {
		name    string
		plan    PlanSummary
		env     string
		allow   bool
		refused bool
	}{
		{"prod destroy refused", destructive, "prod", false, true},
		{"prod replace-only refused", PlanSummary{Replace: []string{"aws_lb.x"}}, "prod", false, true},
		{"prod destroy allowed explicitly", destructive, "prod", true, false},
		{"prod add and change pass", harmless, "prod", false, false},
		{"staging destroy passes", destructive, "staging", false, false},
		{"dev destroy passes", destructive, "dev", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := GuardDestroy(c.plan, c.env, c.allow)
			if (err != nil) != c.refused {
				t.Fatalf("refused=%v, want %v (err %v)", err != nil, c.refused, err)
			}
		})
	}
}

func TestGuardDestroy_ErrorListsEveryAddress(t *testing.T) {
	err := GuardDestroy(PlanSummary{
		Destroy: []string{"module.database[0].aws_db_instance.this"},
		Replace: []string{"module.alb.aws_lb_target_group.app"},
	}, "prod", false)
	msg := err.Error()
	for _, want := range []string{"prod plan destroys 1 and replaces 1", "module.database[0].aws_db_instance.this (destroy)",
		"module.alb.aws_lb_target_group.app (replace)", "nothing was applied"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error should contain %q:\n%s", want, msg)
		}
	}
}

// A task definition change (CPU, memory, an environment variable) is a replacement in Terraform's plan, and a
// routine one: the guard lets it through, while a real replacement next to it is still refused.
func TestGuardDestroy_RoutineTaskDefinitionReplacementPasses(t *testing.T) {
	td := PlanSummary{Change: []string{"module.ecs.aws_ecs_service.app"}, Replace: []string{"module.ecs.aws_ecs_task_definition.app"}}
	if err := GuardDestroy(td, Production, false); err != nil {
		t.Fatalf("a task definition revision must pass the prod guard: %v", err)
	}
	td.Replace = append(td.Replace, "module.s3.aws_s3_bucket.static")
	err := GuardDestroy(td, Production, false)
	if err == nil || !strings.Contains(err.Error(), "replaces 1 resource(s)") || !strings.Contains(err.Error(), "aws_s3_bucket.static (replace)") ||
		strings.Contains(err.Error(), "aws_ecs_task_definition") {
		t.Fatalf("the bucket replacement must be refused, naming only it: %v", err)
	}
}
