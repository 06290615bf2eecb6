package terraform

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// What moto cannot show is tested with Terraform's own `terraform test` in the module it concerns
// (infra/terraform/modules/<name>/tests/*.tftest.hcl: pure arithmetic such as modules/cost, or mocked providers).
// Every module with tests runs here, so `make test` runs them all; a module's failing run fails this test with
// Terraform's own report.
func TestInfra_ModuleTerraformTestsPass(t *testing.T) {
	r := projectRunner(t)
	suites, err := filepath.Glob(filepath.Join(r.Dir, "modules", "*", "tests", "*.tftest.hcl"))
	if err != nil || len(suites) == 0 {
		t.Fatalf("no modules/*/tests/*.tftest.hcl under infra/terraform (%v)", err)
	}
	modules := map[string]bool{}
	for _, s := range suites {
		modules[filepath.Dir(filepath.Dir(s))] = true
	}
	for dir := range modules {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			m := &Runner{Dir: dir, CLIConfig: r.CLIConfig}
			if out, err := m.run(ctx, true, "init", "-backend=false", "-input=false", "-no-color"); err != nil {
				t.Fatalf("terraform init: %v\n%s", err, out)
			}
			out, err := m.run(ctx, true, "test", "-no-color")
			if err != nil || !strings.Contains(string(out), "Success!") {
				t.Fatalf("terraform test in modules/%s: %v\n%s", filepath.Base(dir), err, out)
			}
			t.Logf("modules/%s: %s", filepath.Base(dir), lastLine(string(out)))
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
