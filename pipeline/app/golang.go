package app

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/mod/modfile"
)

// GoApp is what a Go app declares.
type GoApp struct {
	// Module is go.mod's module path.
	Module string
	// GoVersion is the Go release line the app needs, "major.minor" (e.g. "1.26"), from the go or toolchain
	// directive, whichever is newer; "" when go.mod has neither (legal: the toolchain then picks the line).
	GoVersion string
	// HasTests is true when any *_test.go file exists.
	HasTests bool
	// GolangciConfig is the app's golangci-lint config file, if any.
	GolangciConfig string
	// HasGoSum is true when go.sum exists.
	HasGoSum bool
	// Requires counts the module's requirements (0 means nothing to download).
	Requires int
	// DaggerModule is true when the module is also a Dagger module written with the Go SDK, whose generated
	// bindings the check must add before anything compiles.
	DaggerModule bool
}

func detectGo(ctx context.Context, src Source, mod []byte) (*GoApp, error) {
	f, err := modfile.Parse("go.mod", mod, nil)
	if err != nil {
		return nil, fmt.Errorf("go.mod: %w", err)
	}
	g := &GoApp{Requires: len(f.Require)}
	if f.Module != nil {
		g.Module = f.Module.Mod.Path
	}
	if f.Go != nil {
		g.GoVersion = releaseLine(f.Go.Version)
	}
	if f.Toolchain != nil {
		if t := releaseLine(strings.TrimPrefix(f.Toolchain.Name, "go")); g.GoVersion == "" || newer(t, g.GoVersion) {
			g.GoVersion = t
		}
	}
	tests, err := src.Glob(ctx, "**/*_test.go")
	if err != nil {
		return nil, fmt.Errorf("looking for Go tests: %w", err)
	}
	g.HasTests = len(tests) > 0
	if g.GolangciConfig, err = anyExists(ctx, src, ".golangci.yml", ".golangci.yaml", ".golangci.toml", ".golangci.json"); err != nil {
		return nil, err
	}
	if g.HasGoSum, err = exists(ctx, src, "go.sum"); err != nil {
		return nil, err
	}
	if g.DaggerModule, err = daggerGoModule(ctx, src); err != nil {
		return nil, err
	}
	return g, nil
}

// releaseLine turns "1.26.8", "1.26" or "1.26rc1" into "1.26".
func releaseLine(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	minor := parts[1]
	if i := strings.IndexAny(minor, "abcdefghijklmnopqrstuvwxyz"); i > 0 {
		minor = minor[:i]
	}
	return parts[0] + "." + minor
}

// newer compares two "major.minor" lines.
func newer(a, b string) bool {
	var am, an, bm, bn int
	_, errA := fmt.Sscanf(a, "%d.%d", &am, &an)
	_, errB := fmt.Sscanf(b, "%d.%d", &bm, &bn)
	if errA != nil || errB != nil {
		return false
	}
	return am > bm || (am == bm && an > bn)
}
