package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnvironments_NamesFromVarFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"prod.tfvars", "dev.tfvars", "staging.tfvars", "dev.backend.hcl", "README.md"} {
		writeFile(t, filepath.Join(dir, "environments", f), "")
	}
	got, err := Environments(dir)
	if err != nil || strings.Join(got, ",") != "dev,prod,staging" {
		t.Fatalf("got %v, %v", got, err)
	}
	if err := CheckEnvironment(dir, "staging"); err != nil {
		t.Error(err)
	}
	err = CheckEnvironment(dir, "qa")
	if err == nil || err.Error() != `unknown environment "qa": choose one of dev, prod, staging` {
		t.Errorf("got %v", err)
	}
}

func TestEnvironments_TheRepositoryHasDevStagingProd(t *testing.T) {
	got, err := Environments(infraDir)
	if err != nil || strings.Join(got, ",") != "dev,prod,staging" {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, env := range got {
		if _, err := os.Stat(filepath.Join(infraDir, BackendFile(env))); err != nil {
			t.Errorf("environment %s has no backend file: %v", env, err)
		}
	}
}

func TestEnvironments_NoneIsAnError(t *testing.T) {
	if _, err := Environments(t.TempDir()); err == nil || !strings.Contains(err.Error(), "environments/<name>.tfvars") {
		t.Errorf("got %v", err)
	}
}
