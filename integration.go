package main

import (
	"context"
	"fmt"
	"time"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/app"
	"github.com/pixelsandpetals/delivery/pipeline/checks"
	"github.com/pixelsandpetals/delivery/pipeline/toolchain"
)

// IntegrationScript is the package.json script the pipeline runs against the built image.
const IntegrationScript = "test:integration"

// integration starts image as a service and runs the app's integration tests against it (APP_URL), in the
// app's own toolchain container: the tests exercise the exact image that will be pushed, before it is pushed.
func (m *Delivery) integration(ctx context.Context, image *dagger.Container, port int) checks.Result {
	res := checks.Result{Stage: "integration", Command: "npm run " + IntegrationScript}
	a, err := app.Detect(ctx, &sourceDir{dir: m.Source})
	if err != nil {
		res.Status, res.Note, res.Command = checks.Failed, err.Error(), ""
		return res
	}
	if a.Kind != app.Node || !a.Node.HasScript(IntegrationScript) {
		res.Status, res.Note, res.Command = checks.Skipped, "no "+IntegrationScript+" script in package.json", ""
		return res
	}
	recipe, err := toolchain.For(a, toolchain.DefaultVersions)
	if err != nil {
		res.Status, res.Note, res.Command = checks.Failed, err.Error(), ""
		return res
	}
	installed, install := m.install(ctx, a, recipe)
	if install.Status != checks.Passed {
		install.Stage = "integration"
		return install
	}
	svc := image.WithExposedPort(port).AsService()
	c := installed.WithServiceBinding("app", svc).WithEnvVariable("APP_URL", fmt.Sprintf("http://app:%d", port))
	start := time.Now()
	_, res = exec(ctx, c, toolchain.Step{Name: "integration", Command: []string{"npm", "run", "--silent", IntegrationScript}}, res)
	res.Duration = time.Since(start)
	return res
}

// IntegrationTest builds the image and runs the app's integration tests (its `test:integration` script) against
// it, started as a service at APP_URL. Deploy runs the same step before anything is pushed.
func (m *Delivery) IntegrationTest(
	ctx context.Context,
	// Port the app listens on in its image.
	// +default=3000
	port int,
) (string, error) {
	image, err := m.Build(ctx, "Dockerfile", "")
	if err != nil {
		return "", err
	}
	report := &checks.Report{Results: []checks.Result{m.integration(ctx, image, port)}}
	if err := withSummary(report); err != nil {
		return "", err
	}
	return report.Summary(), nil
}
