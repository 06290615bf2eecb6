package terraform

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Production is the environment whose plans may not destroy or replace anything unless explicitly allowed.
const Production = "prod"

// RoutineReplacements are the resource types whose replacement loses nothing: every change to them is a new
// immutable revision by design. A task definition change (CPU, memory, an environment variable) registers a new
// revision; the running service keeps its tasks until it is pointed at the new one. Guarding them would make the
// guard cry wolf on every routine change, until people pass allow-destroy by habit.
var RoutineReplacements = []string{"aws_ecs_task_definition"}

// resourceType matches the type of a resource address, e.g. aws_ecs_task_definition in
// module.ecs.aws_ecs_task_definition.app or module.x["a"].aws_s3_bucket.b[0].
var resourceType = regexp.MustCompile(`(?:^|\.)([a-z0-9]+_[a-z0-9_]+)\.[^.]+$`)

func routine(address string) bool {
	address, _, _ = strings.Cut(address, " (deposed")
	m := resourceType.FindStringSubmatch(address)
	return m != nil && slices.Contains(RoutineReplacements, m[1])
}

// GuardDestroy refuses a production plan that destroys or replaces resources, unless allow is set. The error
// lists every such address, so the person re-running with allow has seen what goes away. Replacements of
// RoutineReplacements pass: they destroy nothing anyone relies on.
func GuardDestroy(s PlanSummary, env string, allow bool) error {
	if env != Production || allow {
		return nil
	}
	var items []string
	replaces := 0
	for _, a := range s.Destroy {
		items = append(items, a+" (destroy)")
	}
	for _, a := range s.Replace {
		if !routine(a) {
			items = append(items, a+" (replace)")
			replaces++
		}
	}
	if len(items) == 0 {
		return nil
	}
	return fmt.Errorf("%s plan destroys %d and replaces %d resource(s), nothing was applied: %s; review the plan and re-run with destroys allowed (allow-destroy) if this is intended",
		env, len(s.Destroy), replaces, strings.Join(items, ", "))
}
