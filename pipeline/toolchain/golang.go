package toolchain

import (
	"fmt"

	"github.com/pixelsandpetals/delivery/pipeline/app"
)

// GoImage is the official Go image for a release line ("1.26" → golang:1.26-bookworm).
func GoImage(line string) string { return "golang:" + line + "-bookworm" }

// GolangciLintImage is the official golangci-lint image; the pipeline copies only its binary.
func GolangciLintImage(tag string) string { return "golangci/golangci-lint:" + tag }

func goRecipe(g *app.GoApp, v Versions) *Recipe {
	line, reason := g.GoVersion, fmt.Sprintf("Go %s from go.mod", g.GoVersion)
	if line == "" {
		line, reason = v.GoLine, fmt.Sprintf("Go %s, the default line: go.mod has no go directive", v.GoLine)
	}
	r := &Recipe{
		Image:       GoImage(line),
		ImageReason: reason,
		Env: []Env{
			{"CI", "true"},
			{"GOFLAGS", "-mod=readonly"},
			{"GOMODCACHE", "/go/pkg/mod"},
			{"GOCACHE", "/root/.cache/go-build"},
			{"GOLANGCI_LINT_CACHE", "/root/.cache/golangci-lint"},
		},
		Caches: []Cache{
			{Volume: "delivery-go-mod", Path: "/go/pkg/mod"},
			{Volume: "delivery-go-build", Path: "/root/.cache/go-build"},
			{Volume: "delivery-golangci-lint", Path: "/root/.cache/golangci-lint"},
		},
		Tools: []Tool{{Image: GolangciLintImage(v.GolangciLint), Path: "/usr/bin/golangci-lint", Dest: "/usr/local/bin/golangci-lint"}},
	}
	if g.Requires > 0 && !g.HasGoSum {
		r.Problem = "go.mod requires modules but there is no go.sum: run `go mod tidy` and commit go.sum"
	}
	r.Install = Step{Name: Install, Command: bounded(v.InstallTimeoutSeconds, "go", "mod", "download")}
	test := Step{Name: Test, Command: []string{"go", "test", "./..."}}
	if !g.HasTests {
		test.Command, test.Skip = nil, "no *_test.go files: nothing to test"
	}
	r.Stages = []Step{
		{Name: Lint, Command: []string{"golangci-lint", "run", "./..."}},
		{Name: Typecheck, Command: []string{"go", "vet", "./..."}},
		test,
	}
	return r
}
