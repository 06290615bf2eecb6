package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The app's integration tests run against its built image, started as a service: they pass on the sample app,
// and fail, naming the test, when the image serves a page whose stylesheet it does not have.
func TestIntegrationTest_RunsTheAppsTestsAgainstTheBuiltImage(t *testing.T) {
	r := dagger(t, checkTimeout, "call", "--source="+fixture(t, "node-app", nil), "integration-test")
	if r.exitCode != 0 || stageStatus(t, r.output, "integration") != "passed" {
		t.Fatalf("integration tests should pass against the sample app's image:\n%s", tail(r.output, 40))
	}

	broken := fixture(t, "node-app", nil)
	page := filepath.Join(broken, "web", "index.html")
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, []byte(strings.ReplaceAll(string(b), `"./app.css"`, `"/assets/app.00000000.css"`)), 0o644); err != nil {
		t.Fatal(err)
	}
	r = dagger(t, checkTimeout, "call", "--source="+broken, "integration-test")
	if r.exitCode == 0 || !strings.Contains(r.output, "serves the home page and every hashed asset it references") {
		t.Errorf("a page without its stylesheet should fail the integration test by name:\n%s", tail(r.output, 40))
	}
}
