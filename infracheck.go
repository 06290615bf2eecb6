package main

import (
	"context"
	"strings"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/checks"
	"github.com/pixelsandpetals/delivery/pipeline/terraform"
	"github.com/pixelsandpetals/delivery/pipeline/toolchain"
)

// TflintImage is pinned like every tool image. Its bundled terraform ruleset needs no download; a .tflint.hcl
// that declares plugins gets `tflint --init` first.
const TflintImage = "ghcr.io/terraform-linters/tflint:v0.64.0"

// Stage names of the infrastructure checks in check's summary.
const (
	terraformStage = "terraform"
	tflintStage    = "tflint"
)

// terraformCheck is `terraform fmt -check` and `terraform validate` on the infra directory: the Terraform that
// deploy would apply. No backend and no credentials: a pull request can check it without touching any state.
func (m *Delivery) terraformCheck(ctx context.Context) checks.Result {
	res := checks.Result{Stage: terraformStage}
	if done, ok := m.nothingToValidate(ctx, res); ok {
		return done
	}
	initArgs, _ := terraform.InitArgs(terraform.Backend{Disabled: true}) // without a backend it cannot fail
	script := strings.Join([]string{
		`terraform fmt -check -recursive -diff -no-color || { echo "terraform fmt: run 'terraform fmt -recursive' in the infra directory"; exit 1; }`,
		`terraform ` + strings.Join(initArgs, " ") + ` >/tmp/init.log 2>&1 || { cat /tmp/init.log; exit 1; }`,
		`terraform validate -no-color`,
	}, " && ")
	c := m.terraformContainer()
	res.Command = "terraform fmt -check -recursive && terraform init -backend=false && terraform validate"
	_, res = exec(ctx, c, toolchain.Step{Name: terraformStage, Command: []string{"sh", "-c", script}}, res)
	return res
}

// tflintCheck runs tflint over every module of the infra directory.
func (m *Delivery) tflintCheck(ctx context.Context) checks.Result {
	res := checks.Result{Stage: tflintStage}
	if done, ok := m.nothingToValidate(ctx, res); ok {
		return done
	}
	script := "tflint --recursive --format compact --no-color"
	if ok, _ := m.Infra.Exists(ctx, ".tflint.hcl"); ok {
		script = "tflint --init --no-color && " + script
	}
	c := dag.Container().From(TflintImage).WithoutEntrypoint().
		WithMountedCache("/root/.tflint.d/plugins", dag.CacheVolume("delivery-tflint-plugins")).
		WithDirectory("/infra", m.Infra, dagger.ContainerWithDirectoryOpts{Exclude: []string{"**/.terraform"}}).
		WithWorkdir("/infra")
	res.Command = script
	_, res = exec(ctx, c, toolchain.Step{Name: tflintStage, Command: []string{"sh", "-c", script}}, res)
	return res
}

// nothingToValidate finishes res when the infra directory holds no Terraform (skipped, saying so) or cannot be
// read (failed); ok is false when there is Terraform to check.
func (m *Delivery) nothingToValidate(ctx context.Context, res checks.Result) (checks.Result, bool) {
	tf, err := m.Infra.Glob(ctx, "*.tf")
	switch {
	case err != nil:
		res.Status, res.Note = checks.Failed, "listing the infra directory: "+firstLine(err)
	case len(tf) == 0:
		res.Status, res.Note = checks.Skipped, "no *.tf files in the infra directory (--infra)"
	default:
		return res, false
	}
	return res, true
}
