package terraform

import (
	"fmt"
	"strings"
)

// Production is the environment whose plans may not destroy or replace anything unless explicitly allowed.
const Production = "prod"

// GuardDestroy refuses a production plan that destroys or replaces resources, unless allow is set. The error
// lists every such address, so the person re-running with allow has seen what goes away.
func GuardDestroy(s PlanSummary, env string, allow bool) error {
	if env != Production || allow || len(s.Destroy)+len(s.Replace) == 0 {
		return nil
	}
	var items []string
	for _, a := range s.Destroy {
		items = append(items, a+" (destroy)")
	}
	for _, a := range s.Replace {
		items = append(items, a+" (replace)")
	}
	return fmt.Errorf("%s plan destroys %d and replaces %d resource(s), nothing was applied: %s; review the plan and re-run with destroys allowed (allow-destroy) if this is intended",
		env, len(s.Destroy), len(s.Replace), strings.Join(items, ", "))
}
