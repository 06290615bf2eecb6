package terraform

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeTerraform is a stand-in binary: it records its arguments and environment and behaves per FAKE_MODE.
const fakeTerraform = `#!/bin/sh
echo "$@" >> "$FAKE_DIR/args"
env > "$FAKE_DIR/env"
case "$1:$FAKE_MODE" in
  show:*) cat "$FAKE_DIR/plan.json" ;;
  *:fail) echo "Initializing the backend..."; echo "progress noise" >&2; echo "Error: No valid credential sources found" >&2; echo "  Please see the provider docs" >&2; exit 1 ;;
  *:hang) trap 'echo interrupted >&2; exit 130' INT; while :; do sleep 0.05; done ;;
esac
`

// fakeRunner returns a runner on an empty directory with the fake binary, and the directory the fake writes to.
func fakeRunner(t *testing.T, mode string) (*Runner, string) {
	t.Helper()
	fake := t.TempDir()
	bin := filepath.Join(fake, "terraform")
	if err := os.WriteFile(bin, []byte(fakeTerraform), 0o755); err != nil {
		t.Fatal(err)
	}
	plan, err := os.ReadFile("testdata/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(fake, "plan.json"), string(plan))
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "environments", "dev.tfvars"), "")
	writeFile(t, filepath.Join(dir, "environments", "dev.backend.hcl"), "")
	return &Runner{Dir: dir, Bin: bin, Env: []string{"FAKE_DIR=" + fake, "FAKE_MODE=" + mode}}, fake
}

func oneLine(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error containing %q", want)
	}
	if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), want) {
		t.Errorf("want one line containing %q, got:\n%v", want, err)
	}
}

func TestRunner_MissingTerraformIsOneLine(t *testing.T) {
	r := &Runner{Dir: t.TempDir(), Bin: "/nonexistent/terraform"}
	oneLine(t, r.Init(context.Background(), Backend{Disabled: true}), "terraform not found (/nonexistent/terraform)")
	_, err := r.Plan(context.Background(), "environments/dev.tfvars", "plan")
	oneLine(t, err, "terraform not found")
}

func TestRunner_MissingProviderMirrorIsOneLine(t *testing.T) {
	r, _ := fakeRunner(t, "")
	r.CLIConfig = filepath.Join(t.TempDir(), "cli.tfrc")
	writeFile(t, r.CLIConfig, `provider_installation {
  filesystem_mirror {
    path    = "/nonexistent/tf-plugins"
    include = ["registry.terraform.io/hashicorp/*"]
  }
}`)
	oneLine(t, r.Init(context.Background(), Backend{Disabled: true}), "terraform provider mirror /nonexistent/tf-plugins")

	mirror := t.TempDir()
	writeFile(t, r.CLIConfig, `provider_installation {
  filesystem_mirror { path = "`+mirror+`" }
}`)
	oneLine(t, r.Init(context.Background(), Backend{Disabled: true}), "hashicorp/aws missing from the mirror "+mirror)

	r.CLIConfig = "/nonexistent/cli.tfrc"
	oneLine(t, r.Init(context.Background(), Backend{Disabled: true}), "terraform CLI config /nonexistent/cli.tfrc not found")
}

func TestRunner_MissingFilesAreOneLine(t *testing.T) {
	r, _ := fakeRunner(t, "")
	_, err := r.Plan(context.Background(), "environments/qa.tfvars", "plan")
	oneLine(t, err, "var file "+filepath.Join(r.Dir, "environments/qa.tfvars")+" not found")
	oneLine(t, r.Apply(context.Background(), "never-planned"), "plan file")
	oneLine(t, r.Init(context.Background(), Backend{ConfigFile: "environments/qa.backend.hcl"}), "backend config")
	oneLine(t, (&Runner{Dir: "/nonexistent/infra", Bin: r.Bin}).Validate(context.Background()), `terraform directory "/nonexistent/infra" not found`)
}

func TestRunner_InitUsesTheProjectCLIConfigAndReadOnlyLockFile(t *testing.T) {
	r, fake := fakeRunner(t, "")
	mirror := t.TempDir()
	if err := os.MkdirAll(filepath.Join(mirror, "registry.terraform.io", "hashicorp", "aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.CLIConfig = filepath.Join(t.TempDir(), "cli.tfrc")
	writeFile(t, r.CLIConfig, `provider_installation {
  filesystem_mirror {
    path = "`+mirror+`"
  }
}`)
	err := r.Init(context.Background(), Backend{ConfigFile: BackendFile("dev"), Settings: map[string]string{"use_path_style": "true", "region": "eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	args, _ := os.ReadFile(filepath.Join(fake, "args"))
	want := "init -input=false -no-color -lockfile=readonly -reconfigure -backend-config=environments/dev.backend.hcl -backend-config=region=eu-west-1 -backend-config=use_path_style=true"
	if strings.TrimSpace(string(args)) != want {
		t.Errorf("args:\n%s\nwant:\n%s", args, want)
	}
	env, _ := os.ReadFile(filepath.Join(fake, "env"))
	for _, kv := range []string{"TF_CLI_CONFIG_FILE=" + r.CLIConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0"} {
		if !strings.Contains(string(env), kv+"\n") {
			t.Errorf("terraform should run with %s", kv)
		}
	}
}

func TestRunner_PlanPassesVarsAfterTheVarFileAndSummarises(t *testing.T) {
	r, fake := fakeRunner(t, "")
	r.Vars = map[string]string{"enable_dns": "false", "aws_region": "eu-west-1"}
	s, err := r.Plan(context.Background(), VarFile("dev"), "dev.tfplan")
	if err != nil {
		t.Fatal(err)
	}
	if s.Counts() != "2 to add, 1 to change, 2 to destroy, 2 to replace" {
		t.Errorf("summary %s", s.Counts())
	}
	args, _ := os.ReadFile(filepath.Join(fake, "args"))
	want := "plan -input=false -no-color -lock-timeout=2m0s -var-file=environments/dev.tfvars -var aws_region=eu-west-1 -var enable_dns=false -out=dev.tfplan\nshow -json -no-color dev.tfplan\n"
	if string(args) != want {
		t.Errorf("args:\n%s\nwant:\n%s", args, want)
	}
}

func TestRunner_FailureShowsTerraformsErrorNotItsNoise(t *testing.T) {
	r, _ := fakeRunner(t, "fail")
	var log bytes.Buffer
	r.Stdout = &log
	err := r.Init(context.Background(), Backend{Disabled: true})
	if err == nil {
		t.Fatal("expected an error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "terraform init failed (exit 1)") || !strings.Contains(msg, "Error: No valid credential sources found") ||
		!strings.Contains(msg, "Please see the provider docs") || strings.Contains(msg, "progress noise") {
		t.Errorf("unexpected error:\n%s", msg)
	}
	if !strings.Contains(log.String(), "Initializing the backend") {
		t.Errorf("stdout should stream to Runner.Stdout, got %q", log.String())
	}
}

func TestRunner_CancelInterruptsTerraformSoItCanReleaseTheLock(t *testing.T) {
	r, _ := fakeRunner(t, "hang")
	var log bytes.Buffer
	r.Stdout = &log
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := r.Apply(ctx, VarFile("dev")) // any existing file will do as the plan
	if err == nil || !strings.Contains(err.Error(), "terraform apply stopped after") {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(log.String(), "interrupted") {
		t.Errorf("terraform should have received SIGINT (its trap prints 'interrupted'), output: %q", log.String())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("cancel took %s", d)
	}
}

// The argv the module's container and the Runner both run: the committed lock file is read-only, a backend
// is required unless disabled, -var overrides come after the var file in a stable order.
func TestArgs_AreTheOneDefinition(t *testing.T) {
	init, err := InitArgs(Backend{ConfigFile: "environments/dev.backend.hcl", Settings: map[string]string{"use_path_style": "true", "region": "eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(init, " "); got != "init -input=false -no-color -lockfile=readonly -reconfigure -backend-config=environments/dev.backend.hcl -backend-config=region=eu-west-1 -backend-config=use_path_style=true" {
		t.Errorf("init: %s", got)
	}
	if _, err := InitArgs(Backend{}); err == nil || !strings.Contains(err.Error(), "no backend configuration") {
		t.Errorf("init without a backend: %v", err)
	}
	plan := PlanArgs("environments/dev.tfvars", "/tmp/tfplan", VarList(map[string]string{"enable_dns": "false", "deny_insecure_transport": "false"}))
	if got := strings.Join(plan, " "); got != "plan -input=false -no-color -lock-timeout=2m0s -var-file=environments/dev.tfvars -var deny_insecure_transport=false -var enable_dns=false -out=/tmp/tfplan" {
		t.Errorf("plan: %s", got)
	}
	if got := strings.Join(ApplyArgs("/tmp/tfplan"), " "); got != "apply -input=false -no-color -lock-timeout=2m0s /tmp/tfplan" {
		t.Errorf("apply: %s", got)
	}
}
