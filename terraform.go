package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/terraform"
)

// TerraformImage is pinned like every tool image.
const TerraformImage = "hashicorp/terraform:1.11.4"

// infraDir exports the Terraform directory into the module's runtime once, so the pure helpers of
// pipeline/terraform (environments, backend settings) read it like any directory.
func (m *Delivery) infraDir(ctx context.Context) (string, error) {
	dir := filepath.Join(os.TempDir(), "infra")
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	if _, err := m.Infra.Export(ctx, dir); err != nil {
		return "", fmt.Errorf("reading the Terraform directory: %s", firstLine(err))
	}
	return dir, nil
}

// environment checks that env names an environment under infra/ (environments/<env>.tfvars) and returns the
// exported Terraform directory: an unknown name is one line listing the valid ones, before anything happens.
func (m *Delivery) environment(ctx context.Context, env string) (string, error) {
	dir, err := m.infraDir(ctx)
	if err != nil {
		return "", err
	}
	if err := terraform.CheckEnvironment(dir, env); err != nil {
		return "", err
	}
	return dir, nil
}

// terraformFor is a container ready to run terraform for env: the infra directory, AWS access, the backend
// initialised. It is fresh (see fresh.go): init, plan, apply and output run against the world on every call.
func (m *Delivery) terraformFor(ctx context.Context, env string, backend map[string]string) (*dagger.Container, error) {
	// init reads the remote state and every later exec in c reads or changes it: all of them run on every call.
	c, err := m.aws().container(ctx, fresh(m.terraformContainer()), backend["region"])
	if err != nil {
		return nil, err
	}
	b := terraform.Backend{ConfigFile: terraform.BackendFile(env), Settings: map[string]string{}}
	if m.AwsRegion != "" {
		b.Settings["region"] = m.AwsRegion
	}
	if m.AwsEndpoint != nil {
		b.Settings["use_path_style"] = "true"
	}
	args, err := terraform.InitArgs(b)
	if err != nil {
		return nil, err
	}
	c = c.WithExec(append([]string{"terraform"}, args...))
	if _, err := c.Sync(ctx); err != nil {
		return nil, fmt.Errorf("terraform init (%s): %s", env, terraformError(err))
	}
	return c, nil
}

// terraformContainer is the pinned terraform image with the infra directory as its working directory (without
// any .terraform a user's tree may carry). Providers are kept in a cache volume, so init downloads them once per
// engine.
func (m *Delivery) terraformContainer() *dagger.Container {
	return dag.Container().From(TerraformImage).WithoutEntrypoint().
		WithMountedCache("/root/.terraform.d/plugin-cache", dag.CacheVolume("delivery-terraform-plugins")).
		WithEnvVariable("TF_PLUGIN_CACHE_DIR", "/root/.terraform.d/plugin-cache").
		WithEnvVariable("TF_IN_AUTOMATION", "1").
		WithDirectory("/infra", m.Infra, dagger.ContainerWithDirectoryOpts{Exclude: []string{"**/.terraform"}}).
		WithWorkdir("/infra")
}

// terraformPlan plans env and returns the container holding the plan file, and its summary.
func (m *Delivery) terraformPlan(ctx context.Context, env string, backend map[string]string, vars []string) (*dagger.Container, terraform.PlanSummary, error) {
	c, err := m.terraformFor(ctx, env, backend)
	if err != nil {
		return nil, terraform.PlanSummary{}, err
	}
	c = c.WithExec(append([]string{"terraform"}, terraform.PlanArgs(terraform.VarFile(env), "/tmp/tfplan", vars)...)).WithExec([]string{"sh", "-c", "terraform show -json /tmp/tfplan > /tmp/tfplan.json"})
	js, err := c.File("/tmp/tfplan.json").Contents(ctx)
	if err != nil {
		return nil, terraform.PlanSummary{}, fmt.Errorf("terraform plan (%s): %s", env, terraformError(err))
	}
	sum, err := terraform.ParsePlan([]byte(js))
	if err != nil {
		return nil, terraform.PlanSummary{}, err
	}
	return c, sum, nil
}

// terraformApply applies the plan in c and reads the deploy targets from the outputs.
func terraformApply(ctx context.Context, c *dagger.Container, env string) (terraform.Targets, error) {
	c = c.WithExec(append([]string{"terraform"}, terraform.ApplyArgs("/tmp/tfplan")...))
	return readTargets(ctx, c, "terraform apply", env)
}

// readTargets runs terraform output in c (after whatever c already ran) and parses the deploy targets; a failure
// of an earlier exec in c surfaces here, named by what.
func readTargets(ctx context.Context, c *dagger.Container, what, env string) (terraform.Targets, error) {
	js, err := c.WithExec([]string{"sh", "-c", "terraform output -json > /tmp/outputs.json"}).File("/tmp/outputs.json").Contents(ctx)
	if err != nil {
		return terraform.Targets{}, fmt.Errorf("%s (%s): %s", what, env, terraformError(err))
	}
	return terraform.ParseTargets([]byte(js))
}

// terraformOutputs reads the deploy targets of an environment that is already applied.
func (m *Delivery) terraformOutputs(ctx context.Context, env string, backend map[string]string) (terraform.Targets, error) {
	c, err := m.terraformFor(ctx, env, backend)
	if err != nil {
		return terraform.Targets{}, err
	}
	return readTargets(ctx, c, "terraform output", env)
}

// terraformError is a failed terraform exec as one line (its first error diagnostic and the reason, e.g. a stale
// plan or a held state lock), or the tail of its output when it printed no diagnostic.
func terraformError(err error) string {
	var e *dagger.ExecError
	if errors.As(err, &e) {
		if line := terraform.ErrorLine(e.Stderr + "\n" + e.Stdout); line != "" {
			return line
		}
	}
	return execError(err)
}

// execError is the tail of a failed tool's output: tools explain themselves at the end.
func execError(err error) string {
	var e *dagger.ExecError
	if errors.As(err, &e) {
		out := strings.TrimSpace(e.Stderr)
		if out == "" {
			out = strings.TrimSpace(e.Stdout)
		}
		lines := strings.Split(out, "\n")
		if len(lines) > 20 {
			lines = lines[len(lines)-20:]
		}
		return strings.Join(lines, "\n")
	}
	return firstLine(err)
}
