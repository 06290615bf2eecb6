package terraform

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Targets are where a deploy goes, read from terraform output: the single source of these names for every later
// stage (push, rollout, publish, invalidate, smoke).
type Targets struct {
	ECRRepositoryURL string
	Cluster          string
	Service          string
	Container        string
	StaticBucket     string
	// StaticPathPattern is the one CloudFront behaviour served from StaticBucket (e.g. "/assets/*"); every other
	// path, HTML included, goes to the app.
	StaticPathPattern string
	DistributionID    string
	AppURL            string
	Region            string
	Environment       string
}

// fields maps each Terraform output (infra/terraform/outputs.tf) to its field.
func (t *Targets) fields() []struct {
	output string
	dst    *string
} {
	return []struct {
		output string
		dst    *string
	}{
		{"ecr_repository_url", &t.ECRRepositoryURL},
		{"ecs_cluster_name", &t.Cluster},
		{"ecs_service_name", &t.Service},
		{"container_name", &t.Container},
		{"static_bucket", &t.StaticBucket},
		{"static_path_pattern", &t.StaticPathPattern},
		{"cloudfront_distribution_id", &t.DistributionID},
		{"app_url", &t.AppURL},
		{"aws_region", &t.Region},
		{"environment", &t.Environment},
	}
}

// OutputNames are the Terraform outputs the deploy targets are read from.
func OutputNames() []string {
	var names []string
	for _, f := range (&Targets{}).fields() {
		names = append(names, f.output)
	}
	return names
}

// ParseTargets reads terraform output -json. Every deploy target must be a non-empty string; the error names
// every output that is missing, empty or of another type.
func ParseTargets(data []byte) (Targets, error) {
	var outputs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &outputs); err != nil {
		return Targets{}, fmt.Errorf("reading terraform output JSON: %w", err)
	}
	var t Targets
	var missing, bad []string
	for _, f := range t.fields() {
		o, ok := outputs[f.output]
		if !ok {
			missing = append(missing, f.output)
			continue
		}
		if err := json.Unmarshal(o.Value, f.dst); err != nil {
			bad = append(bad, f.output+" is not a string")
		} else if strings.TrimSpace(*f.dst) == "" {
			bad = append(bad, f.output+" is empty")
		}
	}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, "missing "+strings.Join(missing, ", "))
	}
	problems = append(problems, bad...)
	if len(problems) > 0 {
		return Targets{}, fmt.Errorf("terraform outputs for the deploy targets: %s (has the stack been applied? infra/terraform/outputs.tf must define them)",
			strings.Join(problems, "; "))
	}
	return t, nil
}

// String lists the targets one per line, by their Terraform output names.
func (t Targets) String() string {
	var b strings.Builder
	for _, f := range t.fields() {
		fmt.Fprintf(&b, "  %-27s %s\n", f.output, *f.dst)
	}
	return b.String()
}
