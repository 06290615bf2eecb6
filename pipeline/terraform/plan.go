package terraform

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// PlanSummary is what a plan would do to managed resources, read from terraform show -json. Each list holds
// resource addresses, sorted; its length is the count. A replaced resource is only in Replace (terraform's own
// "Plan:" line counts it both as an add and a destroy).
type PlanSummary struct {
	Add, Change, Destroy, Replace []string
	// TerraformVersion wrote the plan.
	TerraformVersion string
}

// Empty reports a plan that changes no resource.
func (s PlanSummary) Empty() bool {
	return len(s.Add)+len(s.Change)+len(s.Destroy)+len(s.Replace) == 0
}

// Counts is the one-line summary: "3 to add, 1 to change, 0 to destroy, 1 to replace".
func (s PlanSummary) Counts() string {
	return fmt.Sprintf("%d to add, %d to change, %d to destroy, %d to replace",
		len(s.Add), len(s.Change), len(s.Destroy), len(s.Replace))
}

// ParsePlan reads the JSON of terraform show -json <planfile>. An action this code does not know is an error
// rather than silently left out: a summary that hides a change would defeat the destroy guard.
func ParsePlan(data []byte) (PlanSummary, error) {
	var p struct {
		FormatVersion    string `json:"format_version"`
		TerraformVersion string `json:"terraform_version"`
		ResourceChanges  []struct {
			Address string `json:"address"`
			Mode    string `json:"mode"`
			Deposed string `json:"deposed"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return PlanSummary{}, fmt.Errorf("reading terraform plan JSON: %w", err)
	}
	if !strings.HasPrefix(p.FormatVersion, "1.") {
		return PlanSummary{}, fmt.Errorf("reading terraform plan JSON: format_version %q, want 1.x (terraform show -json of a plan file)", p.FormatVersion)
	}
	s := PlanSummary{TerraformVersion: p.TerraformVersion}
	for _, rc := range p.ResourceChanges {
		if rc.Mode == "data" {
			continue
		}
		addr := rc.Address
		if rc.Deposed != "" {
			addr += " (deposed " + rc.Deposed + ")"
		}
		switch strings.Join(rc.Change.Actions, ",") {
		case "no-op", "read", "forget":
			// forget (a removed block) drops a resource from state without destroying it.
		case "create":
			s.Add = append(s.Add, addr)
		case "update":
			s.Change = append(s.Change, addr)
		case "delete":
			s.Destroy = append(s.Destroy, addr)
		case "delete,create", "create,delete":
			s.Replace = append(s.Replace, addr)
		default:
			return PlanSummary{}, fmt.Errorf("reading terraform plan JSON: unknown actions %v for %s", rc.Change.Actions, addr)
		}
	}
	for _, l := range [][]string{s.Add, s.Change, s.Destroy, s.Replace} {
		sort.Strings(l)
	}
	return s, nil
}
