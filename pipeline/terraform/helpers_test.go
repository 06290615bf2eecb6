package terraform

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pixelsandpetals/delivery/internal/testkit"
)

// infraDir is the repository's Terraform configuration, seen from this package's directory.
const infraDir = "../../infra/terraform"

// projectRunner returns a runner on a fresh copy of infra/terraform that installs providers through the project's
// CLI config, or skips (fails under CI=true) when terraform or its provider mirror is missing.
func projectRunner(t *testing.T) *Runner {
	t.Helper()
	dir := copyInfra(t)
	r := &Runner{Dir: dir, CLIConfig: filepath.Join(dir, "cli.tfrc")}
	if _, err := exec.LookPath("terraform"); err != nil {
		testkit.Missing(t, "terraform (>= 1.11)")
	}
	if err := r.preflight(true); err != nil {
		testkit.Missing(t, err.Error())
	}
	return r
}

// copyInfra copies infra/terraform without anything generated, so tests never write into the repository.
func copyInfra(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	testkit.CopyTree(t, infraDir, dst, func(d fs.DirEntry) bool {
		if d.IsDir() {
			return d.Name() == ".terraform"
		}
		return strings.Contains(d.Name(), ".tfstate") || strings.HasSuffix(d.Name(), ".tfplan")
	})
	return dst
}

// writeFile writes a test file (0644), creating its directory, and stops the test if it cannot.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
