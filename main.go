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
	// +private
	Infra *dagger.Directory
	// +private
	AwsAccessKeyID *dagger.Secret
	// +private
	AwsSecretAccessKey *dagger.Secret
	// +private
	AwsSessionToken *dagger.Secret
	// +private
	AwsRoleARN string
	// +private
	AwsWebIdentityToken *dagger.Secret
	// +private
	AwsRegion string
	// +private
	AwsEndpoint *dagger.Service
	// +private
	RegistryEndpoint *dagger.Service
	// +private
	AppEndpoint *dagger.Service
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
	// The Terraform root of the app's infrastructure: environments/<env>.tfvars and .backend.hcl name the
	// environments that deploy, plan and bootstrap accept.
	// +defaultPath="/infra/terraform"
	// +ignore=["**/.terraform", "**/*.tfstate", "**/*.tfplan"]
	// +optional
	infra *dagger.Directory,
	// AWS access key id (a secret, e.g. env:AWS_ACCESS_KEY_ID). Give keys, or a role ARN with a web identity token.
	// +optional
	awsAccessKeyId *dagger.Secret,
	// AWS secret access key (a secret).
	// +optional
	awsSecretAccessKey *dagger.Secret,
	// AWS session token of temporary keys (a secret), e.g. from aws-actions/configure-aws-credentials.
	// +optional
	awsSessionToken *dagger.Secret,
	// IAM role to assume with a web identity token (GitHub OIDC).
	// +optional
	awsRoleArn string,
	// Web identity token (a secret) for the role, e.g. GitHub's OIDC token.
	// +optional
	awsWebIdentityToken *dagger.Secret,
	// AWS region; default: the environment's backend region.
	// +optional
	awsRegion string,
	// Send every AWS API call to this endpoint instead of AWS (LocalStack, moto), e.g. tcp://localhost:4566.
	// +optional
	awsEndpoint *dagger.Service,
	// Push images to this registry instead of the ECR host (a mirror, LocalStack's registry), e.g.
	// tcp://localhost:5000. Task definitions still reference the ECR repository URL.
	// +optional
	registryEndpoint *dagger.Service,
	// Smoke-test the app at this endpoint instead of its public URL (a port-forward), e.g. tcp://localhost:8080.
	// +optional
	appEndpoint *dagger.Service,
) *Delivery {
	return &Delivery{Source: source, CaCerts: caCerts, TrivyDB: trivyDb, Infra: infra,
		AwsAccessKeyID: awsAccessKeyId, AwsSecretAccessKey: awsSecretAccessKey, AwsSessionToken: awsSessionToken,
		AwsRoleARN: awsRoleArn, AwsWebIdentityToken: awsWebIdentityToken, AwsRegion: awsRegion, AwsEndpoint: awsEndpoint,
		RegistryEndpoint: registryEndpoint, AppEndpoint: appEndpoint}
}

// Check runs every check side by side and prints one line per stage: the app's lint, typecheck and tests, the
// security scan of the source, actionlint (with shellcheck) on its GitHub workflows, and terraform fmt/validate
// and tflint on the infra directory. Every stage runs even when another fails; the error then names each failing
// stage with the first lines of its output. A stage with nothing to check (no workflows, no Terraform) says so.
// Each call looks again at the vulnerability DB (a DB update re-scans); every stage whose inputs did not change
// is a cache hit.
// +cache="session"
func (m *Delivery) Check(ctx context.Context) (string, error) {
	return m.runChecks(ctx, []func(context.Context) checks.Result{m.scanResult, m.workflowsCheck, m.terraformCheck, m.tflintCheck},
		toolchain.Lint, toolchain.Typecheck, toolchain.Test)
}

// LintWorkflows runs actionlint, with shellcheck on every `run:` script, on the source's .github/workflows.
// +check
func (m *Delivery) LintWorkflows(ctx context.Context) (string, error) {
	return runStandalone(ctx, "GitHub Actions workflows", m.workflowsCheck)
}

// ValidateInfra checks the infra directory's Terraform without touching any state: terraform fmt -check,
// terraform validate (init without a backend) and tflint.
// +check
func (m *Delivery) ValidateInfra(ctx context.Context) (string, error) {
	return runStandalone(ctx, "Terraform in the infra directory", m.terraformCheck, m.tflintCheck)
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
