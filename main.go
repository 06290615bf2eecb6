// The Pixels & Petals delivery pipeline: checks, builds, scans, publishes and deploys a containerized web app on
// AWS. The same functions run on a laptop (`dagger call check`) and in CI, so a green check locally means a green
// check in the pull request.
//
// This file is the table of contents: each function is one thing a user asks for, and composes stages that live
// in pipeline/<stage>.
package main

import (
	"context"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/checks"
	"github.com/pixelsandpetals/delivery/pipeline/toolchain"
)

// Delivery is the CI/CD pipeline of one app.
type Delivery struct {
	// +private
	Source *dagger.Directory
	// +private
	CaCerts *dagger.File
	// +private
	TrivyDB *dagger.Directory
}

// New configures the pipeline for one app.
func New(
	// The app's source tree: a Node/TypeScript app (package.json) or a Go app (go.mod). Defaults to the root of the
	// repository that holds dagger.json. Dependencies and build output are never uploaded.
	// +defaultPath="/"
	// +ignore=["**/node_modules", "**/.git", "**/dist", "**/coverage", "**/.cache", "**/.terraform", "**/.dagger"]
	source *dagger.Directory,
	// PEM file of extra CA certificates the app's tools must trust, e.g. behind a TLS-intercepting corporate proxy.
	// Node reads it through NODE_EXTRA_CA_CERTS, Go and other tools through SSL_CERT_DIR.
	// +optional
	caCerts *dagger.File,
	// A pre-downloaded trivy cache directory (holding db/trivy.db and db/metadata.json) for air-gapped runs: the
	// scanner then never downloads or updates its vulnerability DB. Without it the DB is kept in a cache volume.
	// +optional
	trivyDb *dagger.Directory,
) *Delivery {
	return &Delivery{Source: source, CaCerts: caCerts, TrivyDB: trivyDb}
}

// Check runs lint, typecheck, test and the security scan side by side and prints one line per stage. Every
// stage runs even when another fails; the error then names each failing stage with the first lines of its output.
func (m *Delivery) Check(ctx context.Context) (string, error) {
	return m.runChecks(ctx, []func(context.Context) checks.Result{m.scanResult},
		toolchain.Lint, toolchain.Typecheck, toolchain.Test)
}

// Lint runs the app's linter: its `lint` script or ESLint for Node apps, golangci-lint for Go apps.
// +check
func (m *Delivery) Lint(ctx context.Context) (string, error) {
	return m.runChecks(ctx, nil, toolchain.Lint)
}

// Typecheck type-checks the app: its `typecheck` script, `tsc -b` for project references or `tsc --noEmit` for
// TypeScript apps; `go vet` for Go apps.
// +check
func (m *Delivery) Typecheck(ctx context.Context) (string, error) {
	return m.runChecks(ctx, nil, toolchain.Typecheck)
}

// Test runs the app's unit tests: its `test` script for Node apps, `go test ./...` for Go apps.
// +check
func (m *Delivery) Test(ctx context.Context) (string, error) {
	return m.runChecks(ctx, nil, toolchain.Test)
}
