package toolchain

import (
	"strings"
	"testing"

	"github.com/pixelsandpetals/delivery/pipeline/app"
)

func nodeApp(mod func(n *app.NodeApp)) *app.App {
	n := &app.NodeApp{NodeMajor: "20", NodeVersionFrom: ".nvmrc", Lockfile: "package-lock.json",
		Scripts: map[string]string{}, TSConfig: true, ESLintConfig: "eslint.config.js"}
	if mod != nil {
		mod(n)
	}
	return &app.App{Kind: app.Node, Node: n}
}

func commands(t *testing.T, r *Recipe) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, s := range r.Stages {
		if s.Skip != "" {
			out[s.Name] = "skip: " + s.Skip
		} else {
			out[s.Name] = strings.Join(s.Command, " ")
		}
	}
	return out
}

func TestNode_AppScriptsWinOverDefaults(t *testing.T) {
	r, err := For(nodeApp(func(n *app.NodeApp) {
		n.Scripts = map[string]string{"lint": "eslint --max-warnings 0 .", "typecheck": "tsc -b", "test": "vitest run"}
	}), DefaultVersions)
	if err != nil {
		t.Fatal(err)
	}
	got := commands(t, r)
	want := map[string]string{"lint": "npm run --silent lint", "typecheck": "npm run --silent typecheck", "test": "npm test"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if r.Image != "node:20-bookworm-slim" {
		t.Errorf("image %s", r.Image)
	}
}

func TestNode_FallbacksFollowDeclarations(t *testing.T) {
	cases := []struct {
		name  string
		mod   func(n *app.NodeApp)
		stage string
		want  string
	}{
		{"eslint config without script", nil, Lint, "npx --no-install eslint ."},
		{"no eslint at all", func(n *app.NodeApp) { n.ESLintConfig = "" }, Lint, "skip: no lint script"},
		{"tsconfig", nil, Typecheck, "npx --no-install tsc --noEmit"},
		{"project references", func(n *app.NodeApp) { n.TSProjectReferences = true }, Typecheck, "npx --no-install tsc -b"},
		{"plain javascript", func(n *app.NodeApp) { n.TSConfig = false }, Typecheck, "skip: no typecheck script and no tsconfig.json"},
		{"no test script", nil, Test, "skip: no test script in package.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := For(nodeApp(c.mod), DefaultVersions)
			if got := commands(t, r)[c.stage]; !strings.HasPrefix(got, c.want) {
				t.Errorf("%s: %q, want prefix %q", c.stage, got, c.want)
			}
		})
	}
}

func TestNode_MissingLockfileIsAProblemWithAFix(t *testing.T) {
	r, _ := For(nodeApp(func(n *app.NodeApp) { n.Lockfile = "" }), DefaultVersions)
	if !strings.Contains(r.Problem, "npm install") {
		t.Errorf("problem %q should say how to fix it", r.Problem)
	}
	r, _ = For(nodeApp(func(n *app.NodeApp) { n.Lockfile, n.OtherLockfile = "", "yarn.lock" }), DefaultVersions)
	if !strings.Contains(r.Problem, "yarn.lock") {
		t.Errorf("problem %q should name the unsupported lockfile", r.Problem)
	}
}

func TestNode_InstallIsBoundedAndTrustsTheSystemCAs(t *testing.T) {
	r, _ := For(nodeApp(nil), DefaultVersions)
	if got := strings.Join(r.Install.Command, " "); !strings.HasPrefix(got, "timeout -k 10 600 npm ci") {
		t.Errorf("install %q should be npm ci under a timeout", got)
	}
	found := false
	for _, e := range r.Env {
		found = found || (e.Name == "NODE_EXTRA_CA_CERTS" && e.Value == SystemCABundle)
	}
	if !found {
		t.Error("Node must be told to trust the system CA store (custom CAs land there)")
	}
}

func TestGo_ImageAndStages(t *testing.T) {
	r, err := For(&app.App{Kind: app.Go, Go: &app.GoApp{GoVersion: "1.26", HasTests: true}}, DefaultVersions)
	if err != nil {
		t.Fatal(err)
	}
	if r.Image != "golang:1.26-bookworm" {
		t.Errorf("image %s", r.Image)
	}
	got := commands(t, r)
	if got[Lint] != "golangci-lint run ./..." || got[Typecheck] != "go vet ./..." || got[Test] != "go test ./..." {
		t.Errorf("stages %v", got)
	}
	if len(r.Tools) != 1 || r.Tools[0].Image != "golangci/golangci-lint:v2.15.0" {
		t.Errorf("golangci-lint should come from its pinned image: %+v", r.Tools)
	}
}

func TestGo_NoGoDirectiveUsesTheDefaultLineAndSaysSo(t *testing.T) {
	r, err := For(&app.App{Kind: app.Go, Go: &app.GoApp{HasTests: true}}, DefaultVersions)
	if err != nil || r.Image != "golang:1.26-bookworm" || r.ImageReason != "Go 1.26, the default line: go.mod has no go directive" {
		t.Fatalf("recipe %+v, %v", r, err)
	}
}

func TestGo_RequiresWithoutGoSumIsAProblem(t *testing.T) {
	r, _ := For(&app.App{Kind: app.Go, Go: &app.GoApp{GoVersion: "1.26", Requires: 2}}, DefaultVersions)
	if !strings.Contains(r.Problem, "go mod tidy") {
		t.Errorf("problem %q", r.Problem)
	}
	if got := commands(t, r)[Test]; !strings.HasPrefix(got, "skip: no *_test.go") {
		t.Errorf("test %q", got)
	}
}

// delivery.json's commands replace the inferred ones, even a stage that would otherwise be skipped.
func TestConfig_CommandsWinOverInference(t *testing.T) {
	a := &app.App{Kind: app.Go, Go: &app.GoApp{GoVersion: "1.26", HasGoSum: true},
		Config: app.Config{Check: map[string][]string{"test": {"go", "test", "-short", "./..."}}}}
	r, err := For(a, DefaultVersions)
	if err != nil {
		t.Fatal(err)
	}
	got := commands(t, r)
	if got["test"] != "go test -short ./..." || got["lint"] != "golangci-lint run ./..." {
		t.Fatalf("stages %v", got)
	}
}

// A stage delivery.json names that the app does not have is one line listing the stages.
func TestConfig_UnknownStageIsOneClearLine(t *testing.T) {
	a := &app.App{Kind: app.Go, Go: &app.GoApp{GoVersion: "1.26", HasGoSum: true},
		Config: app.Config{Check: map[string][]string{"tests": {"go", "test", "./..."}}}}
	_, err := For(a, DefaultVersions)
	if err == nil || err.Error() != "delivery.json: check.tests is not a stage; the stages are lint, typecheck, test" {
		t.Fatalf("error: %v", err)
	}
}
