package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/app"
	"github.com/pixelsandpetals/delivery/pipeline/checks"
	"github.com/pixelsandpetals/delivery/pipeline/toolchain"
)

// extraCADir holds the user's extra CA file; Go's SSL_CERT_DIR reads every file in it.
const extraCADir = "/usr/local/share/delivery-ca"

// runChecks detects the app, installs its dependencies once, then runs the named stages in parallel, side by side
// with extra stages that need no install (the security scan), and reports on all of them.
func (m *Delivery) runChecks(ctx context.Context, extra []func(context.Context) checks.Result, stages ...string) (string, error) {
	extraDone := make(chan []checks.Result, 1)
	go func() { extraDone <- runAll(ctx, extra...) }()
	report, err := m.appChecks(ctx, stages...)
	extraResults := <-extraDone
	if err != nil {
		return "", err
	}
	report.Results = append(report.Results, extraResults...)
	report.Sort(append(append([]string{toolchain.Install}, stages...), scanStage, workflowsStage, terraformStage, tflintStage)...)
	if err := withSummary(report); err != nil {
		return "", err
	}
	return report.Summary(), nil
}

// runStandalone runs checks that need no app install (workflows, Terraform) and reports on them like check does.
func runStandalone(ctx context.Context, subject string, runs ...func(context.Context) checks.Result) (string, error) {
	report := &checks.Report{Subject: subject, Results: runAll(ctx, runs...)}
	if err := withSummary(report); err != nil {
		return "", err
	}
	return report.Summary(), nil
}

// runAll runs independent stages in parallel and returns their results in the order given.
func runAll(ctx context.Context, runs ...func(context.Context) checks.Result) []checks.Result {
	results := make([]checks.Result, len(runs))
	var wg sync.WaitGroup
	for i, run := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = run(ctx)
		}()
	}
	wg.Wait()
	return results
}

// appChecks runs the app's own stages: install once, then the stages in parallel.
func (m *Delivery) appChecks(ctx context.Context, stages ...string) (*checks.Report, error) {
	a, err := app.Detect(ctx, &sourceDir{dir: m.Source})
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	recipe, err := toolchain.For(a, toolchain.DefaultVersions)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	report := &checks.Report{Subject: subject(a, recipe)}
	installed, install := m.install(ctx, a, recipe)
	if install.Status != checks.Passed {
		report.Results = append(report.Results, install)
		for _, s := range stages {
			report.Results = append(report.Results, checks.Result{Stage: s, Status: checks.NotRun, Note: "install failed"})
		}
		return report, nil
	}

	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, name := range stages {
		step, err := recipe.Stage(name)
		if err != nil {
			return nil, fmt.Errorf("check: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := runStep(ctx, installed, step)
			mu.Lock()
			report.Results = append(report.Results, res)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return report, nil
}

func withSummary(r *checks.Report) error {
	err := r.Err()
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w\n\n%s", err, strings.TrimRight(r.Summary(), "\n"))
}

func subject(a *app.App, r *toolchain.Recipe) string {
	switch a.Kind {
	case app.Node:
		name := a.Node.Name
		if name == "" {
			name = "(unnamed)"
		}
		return fmt.Sprintf("Node app %s, %s, image %s", name, r.ImageReason, r.Image)
	case app.Go:
		s := fmt.Sprintf("Go module %s, %s, image %s", a.Go.Module, r.ImageReason, r.Image)
		if a.Go.DaggerModule {
			s += ", Dagger bindings generated"
		}
		return s
	}
	return string(a.Kind)
}

// install builds the toolchain container and installs dependencies. Only the manifest files are copied before the
// install, so editing source code does not invalidate the cached install.
func (m *Delivery) install(ctx context.Context, a *app.App, r *toolchain.Recipe) (*dagger.Container, checks.Result) {
	res := checks.Result{Stage: toolchain.Install, Command: strings.Join(r.Install.Command, " ")}
	if r.Problem != "" {
		res.Status, res.Note, res.Command = checks.Failed, r.Problem, ""
		return nil, res
	}
	c := dag.Container().From(r.Image)
	for _, e := range r.Env {
		c = c.WithEnvVariable(e.Name, e.Value)
	}
	for _, cache := range r.Caches {
		c = c.WithMountedCache(cache.Path, dag.CacheVolume(cache.Volume))
	}
	for _, t := range r.Tools {
		c = c.WithFile(t.Dest, dag.Container().From(t.Image).File(t.Path))
	}
	if m.CaCerts != nil {
		c = c.WithFile(extraCADir+"/extra-ca.pem", m.CaCerts).
			WithEnvVariable("NODE_EXTRA_CA_CERTS", extraCADir+"/extra-ca.pem").
			WithEnvVariable("SSL_CERT_DIR", "/etc/ssl/certs:"+extraCADir)
	}
	manifests := []string{"package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"}
	src := m.Source
	if a.Kind == app.Go {
		manifests = []string{"go.mod", "go.sum"}
		if a.Go.DaggerModule {
			// A Dagger Go module (like this repository) compiles only with its generated bindings: the engine's
			// Go SDK generates them exactly as `dagger develop` would, without touching the user's tree.
			src = src.WithDirectory(".", src.AsModuleSource().GeneratedContextDirectory())
		}
	}
	c = c.WithWorkdir(toolchain.Workdir).
		WithDirectory(toolchain.Workdir, src, dagger.ContainerWithDirectoryOpts{Include: manifests})
	installed, res := exec(ctx, c, r.Install, res)
	if res.Status != checks.Passed {
		return nil, res
	}
	return installed.WithDirectory(toolchain.Workdir, src), res
}

// runStep runs one stage on the installed container and captures its combined output and exit code.
func runStep(ctx context.Context, installed *dagger.Container, s toolchain.Step) checks.Result {
	res := checks.Result{Stage: s.Name, Command: strings.Join(s.Command, " ")}
	if s.Skip != "" {
		res.Status, res.Note, res.Command = checks.Skipped, s.Skip, ""
		return res
	}
	_, res = exec(ctx, installed, s, res)
	return res
}

// exec runs argv with stderr folded into stdout, so the failure excerpt shows messages in the order printed.
func exec(ctx context.Context, c *dagger.Container, s toolchain.Step, res checks.Result) (*dagger.Container, checks.Result) {
	start := time.Now()
	argv := append([]string{"sh", "-c", `exec "$@" 2>&1`, "sh"}, s.Command...)
	out := c.WithExec(argv, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
	code, err := out.ExitCode(ctx)
	res.Duration = time.Since(start)
	if err != nil {
		res.Status, res.Note = checks.Failed, "could not run: "+firstLine(err)
		return nil, res
	}
	stdout, err := out.Stdout(ctx)
	if err != nil {
		res.Status, res.Note = checks.Failed, "could not read output: "+firstLine(err)
		return nil, res
	}
	res.ExitCode, res.Output = code, stdout
	if code != 0 {
		res.Status = checks.Failed
		if code == 124 {
			res.Note = "timed out"
		}
		return nil, res
	}
	res.Status = checks.Passed
	return out, res
}

func firstLine(err error) string {
	var execErr *dagger.ExecError
	if errors.As(err, &execErr) && strings.TrimSpace(execErr.Stderr) != "" {
		return strings.TrimSpace(execErr.Stderr)
	}
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}
