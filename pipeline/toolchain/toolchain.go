// Package toolchain turns what an app declares (package app) into container recipes: which image, which caches,
// which command each check stage runs. Recipes are plain data, so the choice of image and command is unit-tested
// without an engine; the Dagger module turns them into containers.
package toolchain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pixelsandpetals/delivery/pipeline/app"
)

// Stage names, as users see them in `dagger call` and in failure summaries.
const (
	Install   = "install"
	Lint      = "lint"
	Typecheck = "typecheck"
	Test      = "test"
)

// Workdir is where the app's source is mounted in every stage container.
const Workdir = "/src"

// Cache is a named cache volume mounted at Path. Names are prefixed so they never collide with another module's.
type Cache struct {
	Volume string
	Path   string
}

// Tool is a single file copied from another image into the stage container, so a tool's version is pinned
// independently of the app's language version (e.g. golangci-lint into the app's own Go image).
type Tool struct {
	Image string
	Path  string
	Dest  string
}

// Env is one environment variable; a slice keeps the order stable, which keeps Dagger's cache keys stable.
type Env struct{ Name, Value string }

// Step is one command in a container.
type Step struct {
	// Name is the stage name users see.
	Name string
	// Command is argv, run in Workdir.
	Command []string
	// Skip, when set, explains why nothing runs (e.g. "no test script in package.json"); the stage passes.
	Skip string
}

// Recipe is how to check one app: a shared base container, an install step every stage builds on, then stages.
type Recipe struct {
	// Image is the app's toolchain image, chosen from its declared version.
	Image string
	// ImageReason says which declaration chose the image, for the check summary.
	ImageReason string
	Env         []Env
	Caches      []Cache
	Tools       []Tool
	// Install runs once before the stages (npm ci, go mod download). Problem, when set, means the app cannot be
	// installed as declared (e.g. no lockfile) and says what to do; no stage runs then.
	Install Step
	Problem string
	// Stages run in parallel on top of the installed container.
	Stages []Step
}

// Stage returns the recipe's stage of that name.
func (r *Recipe) Stage(name string) (Step, error) {
	for _, s := range r.Stages {
		if s.Name == name {
			return s, nil
		}
	}
	return Step{}, fmt.Errorf("stage %q is not defined for this app", name)
}

// For builds the check recipe for an app.
func For(a *app.App, v Versions) (*Recipe, error) {
	var r *Recipe
	switch a.Kind {
	case app.Node:
		r = nodeRecipe(a.Node, v)
	case app.Go:
		r = goRecipe(a.Go, v)
	default:
		return nil, fmt.Errorf("no toolchain for app kind %q", a.Kind)
	}
	// The project's own commands (delivery.json) win over the inferred ones.
	names := make([]string, len(r.Stages))
	for i, s := range r.Stages {
		names[i] = s.Name
		if argv, ok := a.Config.Check[s.Name]; ok {
			r.Stages[i] = Step{Name: s.Name, Command: argv}
		}
	}
	for stage := range a.Config.Check {
		if !slices.Contains(names, stage) {
			return nil, fmt.Errorf("%s: check.%s is not a stage; the stages are %s", app.ConfigFile, stage, strings.Join(names, ", "))
		}
	}
	return r, nil
}

// Versions pins the tools the pipeline brings itself (the app brings its own Node/Go version).
type Versions struct {
	// GolangciLint is the golangci-lint image tag, e.g. "v2.15.0".
	GolangciLint string
	// GoLine is the Go release line for a go.mod that names none (no go or toolchain directive), e.g. "1.26".
	GoLine string
	// InstallTimeoutSeconds bounds npm ci / go mod download, which can hang on a broken network.
	InstallTimeoutSeconds int
}

// DefaultVersions are the versions this release of the pipeline is tested with.
var DefaultVersions = Versions{GolangciLint: "v2.15.0", GoLine: "1.26", InstallTimeoutSeconds: 600}

// bounded wraps argv in coreutils timeout, present in every Debian-based toolchain image.
func bounded(seconds int, argv ...string) []string {
	if seconds <= 0 {
		return argv
	}
	return append([]string{"timeout", "-k", "10", fmt.Sprint(seconds)}, argv...)
}
