// Package terraform runs the project's Terraform configuration (infra/terraform) for the pipeline: preconditions
// first, each failing with one line that names what is missing; plan → a typed summary; apply of exactly the
// reviewed plan file; outputs → the typed deploy targets every later stage uses.
//
// Deciding is pure and unit-tested (plan.go, guard.go, comment.go, targets.go, environments.go); doing shells out
// to the terraform binary (runner.go) and is tested against moto.
package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Runner runs terraform in one working directory. Use a copy of infra/terraform: init writes .terraform into it.
type Runner struct {
	// Dir is the Terraform working directory.
	Dir string
	// Bin is the terraform executable, a path or a name on PATH. Empty: "terraform".
	Bin string
	// CLIConfig is the Terraform CLI configuration file (TF_CLI_CONFIG_FILE), e.g. infra/terraform/cli.tfrc, which
	// installs providers from a local filesystem mirror. Empty: the user's own configuration (the public registry).
	CLIConfig string
	// Env is added to the environment of every terraform command: AWS credentials, AWS_ENDPOINT_URL, TF_LOG, ...
	Env []string
	// Vars are -var overrides applied after the var file by Plan and Destroy (e.g. the toggles moto needs).
	Vars map[string]string
	// Stdout receives terraform's human-readable output while it runs. Nil: discarded.
	Stdout io.Writer
}

// LockTimeout is how long plan, apply and destroy wait for a state lock held by another run before failing.
const LockTimeout = 2 * time.Minute

// interruptGrace is how long terraform may take to stop after SIGINT (cancelled context) before it is killed;
// stopping cleanly releases the DynamoDB state lock and writes the state of what was already created.
const interruptGrace = 90 * time.Second

// Backend says how Init configures the S3 backend.
type Backend struct {
	// ConfigFile is a backend configuration file, relative to Dir or absolute: environments/<env>.backend.hcl.
	ConfigFile string
	// Settings are -backend-config key=value pairs applied after ConfigFile (e.g. region, use_path_style).
	Settings map[string]string
	// Disabled runs init -backend=false: enough for validate and fmt, needs no credentials.
	Disabled bool
}

// Init installs providers and modules and configures the backend. The committed .terraform.lock.hcl is read-only:
// the pipeline never changes provider versions or checksums behind a reviewer's back.
func (r *Runner) Init(ctx context.Context, b Backend) error {
	if err := r.preflight(true); err != nil {
		return err
	}
	args, err := InitArgs(b)
	if err != nil {
		return err
	}
	if !b.Disabled && b.ConfigFile != "" {
		if err := r.mustExist(b.ConfigFile, "backend config"); err != nil {
			return err
		}
	}
	_, err = r.run(ctx, false, args...)
	return err
}

// Validate checks the configuration (after Init) and reports every error as file:line: summary.
func (r *Runner) Validate(ctx context.Context) error {
	if err := r.preflight(false); err != nil {
		return err
	}
	out, err := r.run(ctx, true, "validate", "-json", "-no-color")
	var res struct {
		Valid       bool `json:"valid"`
		Diagnostics []struct {
			Severity, Summary, Detail string
			Range                     *struct {
				Filename string
				Start    struct{ Line int }
			}
		}
	}
	if jerr := json.Unmarshal(out, &res); jerr != nil {
		if err != nil {
			return err
		}
		return fmt.Errorf("terraform validate: unreadable JSON output: %w", jerr)
	}
	if res.Valid {
		return nil
	}
	var msgs []string
	for _, d := range res.Diagnostics {
		if d.Severity != "error" {
			continue
		}
		where := ""
		if d.Range != nil {
			where = fmt.Sprintf("%s:%d: ", d.Range.Filename, d.Range.Start.Line)
		}
		msgs = append(msgs, strings.TrimSpace(where+d.Summary+": "+firstLine(d.Detail)))
	}
	return fmt.Errorf("terraform validate: %d error(s) in %s:\n  %s", len(msgs), r.Dir, strings.Join(msgs, "\n  "))
}

// Plan writes a plan for the var file (relative to Dir or absolute) to outPlan and summarises it.
func (r *Runner) Plan(ctx context.Context, varFile, outPlan string) (PlanSummary, error) {
	if err := r.preflight(false); err != nil {
		return PlanSummary{}, err
	}
	if err := r.mustExist(varFile, "var file"); err != nil {
		return PlanSummary{}, err
	}
	if outPlan == "" {
		return PlanSummary{}, errors.New("terraform plan: no plan file path given")
	}
	if _, err := r.run(ctx, false, PlanArgs(varFile, outPlan, VarList(r.Vars))...); err != nil {
		return PlanSummary{}, err
	}
	js, err := r.run(ctx, true, "show", "-json", "-no-color", outPlan)
	if err != nil {
		return PlanSummary{}, err
	}
	return ParsePlan(js)
}

// Apply applies exactly the plan file Plan wrote: what was reviewed is what changes.
func (r *Runner) Apply(ctx context.Context, planFile string) error {
	if err := r.preflight(false); err != nil {
		return err
	}
	if err := r.mustExist(planFile, "plan file"); err != nil {
		return err
	}
	_, err := r.run(ctx, false, ApplyArgs(planFile)...)
	return err
}

// Output reads the deploy targets from terraform output -json.
func (r *Runner) Output(ctx context.Context) (Targets, error) {
	if err := r.preflight(false); err != nil {
		return Targets{}, err
	}
	js, err := r.run(ctx, true, "output", "-json", "-no-color")
	if err != nil {
		return Targets{}, err
	}
	return ParseTargets(js)
}

// Destroy deletes everything in the state of this working directory's backend.
func (r *Runner) Destroy(ctx context.Context, varFile string) error {
	if err := r.preflight(false); err != nil {
		return err
	}
	if err := r.mustExist(varFile, "var file"); err != nil {
		return err
	}
	args := append([]string{"destroy", "-auto-approve", "-input=false", "-no-color",
		"-lock-timeout=" + LockTimeout.String(), "-var-file=" + varFile}, r.varArgs()...)
	_, err := r.run(ctx, false, args...)
	return err
}

// FmtCheck fails, naming the files, when any .tf or .tfvars file under Dir is not in canonical format.
func (r *Runner) FmtCheck(ctx context.Context) error {
	if err := r.checkBinaryAndDir(); err != nil {
		return err
	}
	out, err := r.run(ctx, true, "fmt", "-check", "-recursive", "-list=true", "-no-color")
	files := strings.Fields(string(out))
	if len(files) > 0 {
		return fmt.Errorf("terraform files not formatted: %s (run terraform fmt -recursive %s)", strings.Join(files, ", "), r.Dir)
	}
	return err
}

// --- running ------------------------------------------------------------------------------------------------------

func (r *Runner) bin() string {
	if r.Bin == "" {
		return "terraform"
	}
	return r.Bin
}

// run executes terraform. capture keeps stdout for parsing (JSON); otherwise stdout streams to r.Stdout.
// stderr always streams to r.Stdout and is kept for the error message.
func (r *Runner) run(ctx context.Context, capture bool, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, r.bin(), args...)
	cmd.Dir = r.Dir
	cmd.Env = r.environ()
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = interruptGrace
	human := io.Discard
	if r.Stdout != nil {
		// stdout and stderr are copied by two goroutines: one writer at a time, or a bytes.Buffer loses lines.
		human = &syncWriter{w: r.Stdout}
	}
	var stdout, stderr bytes.Buffer
	if capture {
		cmd.Stdout = &stdout
	} else {
		cmd.Stdout = io.MultiWriter(human, &tail{buf: &stdout})
	}
	cmd.Stderr = io.MultiWriter(human, &stderr)
	start := time.Now()
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	verb := "terraform " + args[0]
	if ctx.Err() != nil {
		return stdout.Bytes(), fmt.Errorf("%s stopped after %s: %w (terraform was interrupted so it could release the state lock)",
			verb, time.Since(start).Round(time.Second), ctx.Err())
	}
	detail := excerpt(stderr.String())
	if detail == "" && !capture {
		detail = excerpt(stdout.String())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return stdout.Bytes(), fmt.Errorf("%s failed (exit %d) in %s:\n%s", verb, exit.ExitCode(), r.Dir, detail)
	}
	return stdout.Bytes(), fmt.Errorf("%s: %w", verb, err)
}

// syncWriter serialises writes from terraform's stdout and stderr copiers.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (r *Runner) environ() []string {
	env := append(os.Environ(),
		"TF_IN_AUTOMATION=1", // plan output without "run terraform apply" hints meant for people
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1", // no update check against checkpoint-api.hashicorp.com
	)
	if r.CLIConfig != "" {
		abs, _ := filepath.Abs(r.CLIConfig)
		env = append(env, "TF_CLI_CONFIG_FILE="+abs)
	}
	return append(env, r.Env...) // later entries win
}

func (r *Runner) varArgs() []string {
	var args []string
	for _, v := range VarList(r.Vars) {
		args = append(args, "-var", v)
	}
	return args
}

// --- preconditions ------------------------------------------------------------------------------------------------

var mirrorPath = regexp.MustCompile(`(?s)filesystem_mirror\s*\{[^}]*?path\s*=\s*"([^"]+)"`)

// preflight checks what every command needs; installing (init) also needs the provider mirror of the CLI config.
func (r *Runner) preflight(installing bool) error {
	if err := r.checkBinaryAndDir(); err != nil {
		return err
	}
	if r.CLIConfig == "" {
		return nil
	}
	cfg, err := os.ReadFile(r.CLIConfig)
	if err != nil {
		return fmt.Errorf("terraform CLI config %s not found: pass an existing file, or none to use the public registry", r.CLIConfig)
	}
	if !installing {
		return nil
	}
	for _, m := range mirrorPath.FindAllStringSubmatch(string(cfg), -1) {
		dir := m[1]
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("terraform provider mirror %s (from %s) not found: install hashicorp/aws there, or use no CLI config to download providers from the registry", dir, r.CLIConfig)
		}
		aws := filepath.Join(dir, "registry.terraform.io", "hashicorp", "aws")
		if _, err := os.Stat(aws); err != nil {
			return fmt.Errorf("terraform provider hashicorp/aws missing from the mirror %s (from %s): expected %s", dir, r.CLIConfig, aws)
		}
	}
	return nil
}

func (r *Runner) checkBinaryAndDir() error {
	if _, err := exec.LookPath(r.bin()); err != nil {
		return fmt.Errorf("terraform not found (%s): install Terraform >= 1.11 or point the runner at the binary", r.bin())
	}
	if st, err := os.Stat(r.Dir); err != nil || !st.IsDir() {
		return fmt.Errorf("terraform directory %q not found", r.Dir)
	}
	return nil
}

func (r *Runner) mustExist(path, what string) error {
	full := path
	if !filepath.IsAbs(full) {
		full = filepath.Join(r.Dir, path)
	}
	if _, err := os.Stat(full); err != nil {
		return fmt.Errorf("terraform %s %s not found", what, full)
	}
	return nil
}

// --- small helpers ------------------------------------------------------------------------------------------------

// excerptLines bounds how much of terraform's stderr goes into an error message.
const excerptLines = 25

func excerpt(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if i := firstErrorLine(lines); i > 0 {
		lines = lines[i:]
	}
	var kept []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			kept = append(kept, "  "+strings.TrimRight(l, " "))
		}
	}
	if len(kept) > excerptLines {
		kept = append(kept[:excerptLines], fmt.Sprintf("  … %d more lines", len(kept)-excerptLines))
	}
	return strings.Join(kept, "\n")
}

func firstErrorLine(lines []string) int {
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "Error:") {
			return i
		}
	}
	return -1
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// tail keeps the last 64 KiB written to it: enough for an error excerpt of a plan that printed megabytes.
type tail struct{ buf *bytes.Buffer }

func (t *tail) Write(p []byte) (int, error) {
	const keep = 64 << 10
	t.buf.Write(p)
	if t.buf.Len() > 2*keep {
		b := t.buf.Bytes()[t.buf.Len()-keep:]
		t.buf.Reset()
		t.buf.Write(b)
	}
	return len(p), nil
}
