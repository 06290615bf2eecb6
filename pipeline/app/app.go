// Package app decides what kind of app a source tree holds and what it declares about itself: its scripts, its
// Node or Go version, its lockfile and its lint/type-check configuration. Every later stage asks this package
// instead of guessing, so an app's own declarations win over the pipeline's defaults.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
)

// Kind is the toolchain an app is built with.
type Kind string

const (
	// Node is a Node.js or TypeScript app, recognised by its package.json.
	Node Kind = "node"
	// Go is a Go app, recognised by its go.mod.
	Go Kind = "go"
)

// Source is read-only access to an app's tree. The Dagger module reads a *dagger.Directory through it; tests and
// non-Dagger callers read a host directory (see Dir).
type Source interface {
	// ReadFile returns the file's content, or an error wrapping fs.ErrNotExist when it is absent.
	ReadFile(ctx context.Context, name string) ([]byte, error)
	// Glob returns the paths matching pattern; "**/" matches any number of directories.
	Glob(ctx context.Context, pattern string) ([]string, error)
}

// App is what the pipeline knows about the app under test.
type App struct {
	Kind Kind
	// Node is set when Kind is Node.
	Node *NodeApp
	// Go is set when Kind is Go.
	Go *GoApp
	// Dockerfile is true when the app has a Dockerfile at its root.
	Dockerfile bool
	// Config is the project's delivery.json (empty when absent).
	Config Config
}

// ErrUnknownKind means the tree has neither a package.json nor a go.mod at its root.
var ErrUnknownKind = errors.New("no package.json or go.mod at the root of the source directory: " +
	"point --source at a Node/TypeScript app (package.json) or a Go app (go.mod)")

// Detect reads the app's declarations. A package.json wins over a go.mod when both exist, since a Node app may
// vendor Go tooling but a Go app rarely carries a package.json at its root by accident.
func Detect(ctx context.Context, src Source) (*App, error) {
	a := &App{}
	cfg, err := readConfig(ctx, src)
	if err != nil {
		return nil, err
	}
	a.Config = cfg
	if ok, err := exists(ctx, src, "Dockerfile"); err != nil {
		return nil, err
	} else {
		a.Dockerfile = ok
	}
	pkg, err := src.ReadFile(ctx, "package.json")
	switch {
	case err == nil:
		n, err := detectNode(ctx, src, pkg)
		if err != nil {
			return nil, err
		}
		a.Kind, a.Node = Node, n
		return a, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("reading package.json: %w", err)
	}
	mod, err := src.ReadFile(ctx, "go.mod")
	switch {
	case err == nil:
		g, err := detectGo(ctx, src, mod)
		if err != nil {
			return nil, err
		}
		a.Kind, a.Go = Go, g
		return a, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("reading go.mod: %w", err)
	}
	return nil, ErrUnknownKind
}

func exists(ctx context.Context, src Source, name string) (bool, error) {
	_, err := src.ReadFile(ctx, name)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, fmt.Errorf("reading %s: %w", name, err)
}

func anyExists(ctx context.Context, src Source, names ...string) (string, error) {
	for _, n := range names {
		ok, err := exists(ctx, src, n)
		if err != nil {
			return "", err
		}
		if ok {
			return n, nil
		}
	}
	return "", nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
