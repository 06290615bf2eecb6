package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

const checkTimeout = 20 * time.Minute

// stageLine matches one line of the check summary, e.g. "  lint       passed    1.2s  npm run --silent lint".
func stageStatus(t *testing.T, out, stage string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s+`+regexp.QuoteMeta(stage)+`\s+(passed|failed|skipped|not run)\b`).FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		t.Fatalf("no summary line for stage %q in output:\n%s", stage, tail(out, 80))
	}
	return m[len(m)-1][1]
}

func TestCheck_SampleNodeAppPasses(t *testing.T) {
	r := dagger(t, checkTimeout, "call", "--source=testdata/node-app", "check")
	if r.exitCode != 0 {
		t.Fatalf("check on the sample TypeScript app failed (exit %d):\n%s", r.exitCode, tail(r.output, 80))
	}
	for _, s := range []string{"lint", "typecheck", "test", "scan"} {
		if got := stageStatus(t, r.output, s); got != "passed" {
			t.Errorf("stage %s: %s, want passed", s, got)
		}
	}
	if !strings.Contains(r.output, "Node 20 from .nvmrc") {
		t.Errorf("the summary should say the Node version came from .nvmrc:\n%s", tail(r.output, 30))
	}
}

func TestCheck_SampleGoAppPasses(t *testing.T) {
	r := dagger(t, checkTimeout, "call", "--source=testdata/go-app", "check")
	if r.exitCode != 0 {
		t.Fatalf("check on the sample Go app failed (exit %d):\n%s", r.exitCode, tail(r.output, 80))
	}
	for s, cmd := range map[string]string{"lint": "golangci-lint run", "typecheck": "go vet", "test": "go test", "scan": "trivy fs"} {
		if got := stageStatus(t, r.output, s); got != "passed" {
			t.Errorf("stage %s: %s, want passed", s, got)
		}
		if !strings.Contains(r.output, cmd) {
			t.Errorf("stage %s should run %q", s, cmd)
		}
	}
}

// A go.mod without a go directive is legal (github.com/google/uuid has none): it is checked with the default Go
// line, and the summary says why that image.
func TestCheck_GoModWithoutGoDirectiveUsesTheDefaultLine(t *testing.T) {
	r := dagger(t, checkTimeout, "call", "--source=testdata/go-nodirective", "check")
	if r.exitCode != 0 || !strings.Contains(r.output, "Go 1.26, the default line: go.mod has no go directive, image golang:1.26-bookworm") {
		t.Fatalf("check of a module without a go directive should pass on the default line and say so:\n%s", tail(r.output, 40))
	}
}

// Each broken fixture breaks exactly one stage: check must fail, name that stage, show the tool's own message,
// and still run (and pass) the other stages.
func TestCheck_BrokenFixturesFailNamingTheStage(t *testing.T) {
	cases := []struct {
		overlay, stage, message string
	}{
		{"broken/lint-error", "lint", "prefer-const"},
		{"broken/type-error", "typecheck", "TS2322"},
		{"broken/test-failure", "test", "adds up the cart"},
	}
	for _, c := range cases {
		t.Run(c.stage, func(t *testing.T) {
			src := fixture(t, "node-app", []string{c.overlay})
			r := dagger(t, checkTimeout, "call", "--source="+src, "check")
			if r.exitCode == 0 {
				t.Fatalf("check passed on %s; want a failure:\n%s", c.overlay, tail(r.output, 40))
			}
			if !regexp.MustCompile(`check failed: ` + c.stage + `\b`).MatchString(r.output) {
				t.Errorf("the error should name only the %s stage:\n%s", c.stage, tail(r.output, 60))
			}
			if !strings.Contains(r.output, c.message) {
				t.Errorf("the error should show the tool's message %q:\n%s", c.message, tail(r.output, 60))
			}
			for _, other := range []string{"lint", "typecheck", "test"} {
				want := "passed"
				if other == c.stage {
					want = "failed"
				}
				if got := stageStatus(t, r.output, other); got != want {
					t.Errorf("stage %s: %s, want %s", other, got, want)
				}
			}
		})
	}
}

func TestCheck_AppWithoutLockfileGetsAClearStatement(t *testing.T) {
	src := fixture(t, "node-app", nil, "package-lock.json")
	r := dagger(t, checkTimeout, "call", "--source="+src, "check")
	if r.exitCode == 0 {
		t.Fatal("check passed without a lockfile; want a clear failure")
	}
	if !strings.Contains(r.output, "no package-lock.json") || !strings.Contains(r.output, "npm install") {
		t.Errorf("the error should say the lockfile is missing and how to fix it:\n%s", tail(r.output, 40))
	}
}

func TestCheck_AppWithoutTestsSaysSo(t *testing.T) {
	src := fixture(t, "go-app", nil, "handlers_test.go")
	r := dagger(t, checkTimeout, "call", "--source="+src, "test")
	if r.exitCode != 0 {
		t.Fatalf("an app without tests should not fail the test stage:\n%s", tail(r.output, 40))
	}
	if got := stageStatus(t, r.output, "test"); got != "skipped" || !strings.Contains(r.output, "no *_test.go files") {
		t.Errorf("test stage %s; want skipped with a statement:\n%s", got, tail(r.output, 30))
	}
}

func TestCheck_NotAnAppIsOneClearLine(t *testing.T) {
	src := t.TempDir()
	r := dagger(t, checkTimeout, "call", "--source="+src, "check")
	if r.exitCode == 0 {
		t.Fatal("check passed on an empty directory")
	}
	if !strings.Contains(r.output, "no package.json or go.mod") {
		t.Errorf("want one clear line about what is missing:\n%s", tail(r.output, 30))
	}
}
