package workflowlint

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pixelsandpetals/delivery/internal/testkit"
)

// lintErrors lints dir and returns the findings that fail a check.
func lintErrors(t *testing.T, dir string) []Finding {
	t.Helper()
	fs, err := Lint(dir)
	if err != nil {
		t.Fatal(err)
	}
	return Errors(fs)
}

// onlyFinding asserts that dir yields exactly one error, from rule, whose printed form contains every want.
func onlyFinding(t *testing.T, dir, rule string, want ...string) Finding {
	t.Helper()
	errs := lintErrors(t, dir)
	if len(errs) != 1 {
		t.Fatalf("want exactly one finding, got %d:\n%s", len(errs), join(errs))
	}
	f := errs[0]
	if f.Rule != rule {
		t.Errorf("rule %q, want %q: %s", f.Rule, rule, f)
	}
	for _, w := range want {
		if !strings.Contains(f.String(), w) {
			t.Errorf("finding should contain %q:\n%s", w, f)
		}
	}
	return f
}

func join(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

func TestRepositoryWorkflowsPassActionlintAndTheThinRule(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Log("shellcheck not on PATH: run: scripts are not checked (apt-get install shellcheck)")
	}
	if errs := lintErrors(t, "../../.github/workflows"); len(errs) > 0 {
		t.Fatalf("workflows should be clean:\n%s", join(errs))
	}
}

func TestUnpinnedActionIsTheOnlyFinding(t *testing.T) {
	f := onlyFinding(t, "../../testdata/workflows/unpinned-action", RulePinned,
		"unpinned-action/check.yml:10: ", `job "check", step 1 "actions/checkout"`, "actions/checkout@v4 is not pinned to a commit SHA")
	if f.Job != "check" || f.Column == 0 {
		t.Errorf("finding should name the job and column: %+v", f)
	}
}

func TestTwoDaggerCallsInOneJobIsTheOnlyFinding(t *testing.T) {
	onlyFinding(t, "../../testdata/workflows/two-dagger-calls", RuleThin,
		`two-dagger-calls/check.yml:18: job "check", step 4 "test": second Dagger call (the first is step 3 "lint")`)
}

func TestExtraNpmCiStepIsTheOnlyFinding(t *testing.T) {
	onlyFinding(t, "../../testdata/workflows/extra-npm-step", RuleThin,
		`extra-npm-step/check.yml:16: job "check", step 3 "install": runs `+"`npm`"+` outside Dagger`)
}

func TestUnknownExpressionContextIsAnActionlintFinding(t *testing.T) {
	onlyFinding(t, "../../testdata/workflows/unknown-context", "expression",
		"unknown-context/check.yml:18: ", `undefined variable "nosuch"`)
}

func TestWithoutShellcheckTheLinterStillRunsAndSaysSo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	fs, err := Lint("../../testdata/workflows/extra-npm-step")
	if err != nil {
		t.Fatal(err)
	}
	var notes []Finding
	for _, f := range fs {
		if f.Severity == SeverityNotice {
			notes = append(notes, f)
		}
	}
	if len(notes) != 1 || notes[0].Rule != RuleShellcheck || !strings.Contains(notes[0].String(), "note: shellcheck is not on PATH") {
		t.Errorf("want one shellcheck notice, got:\n%s", join(notes))
	}
	if len(Errors(fs)) != 1 {
		t.Errorf("the other checks should still run:\n%s", join(fs))
	}
}

func TestShellcheckFindingsInRunScriptsComeThroughActionlint(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		testkit.Missing(t, "shellcheck (apt package shellcheck; hack/lab/lab.sh installs it)")
	}
	dir := t.TempDir()
	yaml := job(checkout, install, "      - run: dagger call check --source $SRC\n")
	if err := os.WriteFile(filepath.Join(dir, "w.yml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	errs := lintErrors(t, dir)
	if len(errs) != 1 || errs[0].Rule != "shellcheck" || !strings.Contains(errs[0].Message, "SC2086") {
		t.Fatalf("want one SC2086 finding, got:\n%s", join(errs))
	}
}

func TestMissingDirectoryIsAnError(t *testing.T) {
	if _, err := Lint(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Fatal("want an error")
	}
}

const (
	checkout = "      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2\n"
	install  = "      - uses: dagger/dagger-for-github@27b130bf0f79a7f6fbbbe0fbca6760dc9bb40a77 # v8.4.1\n        with:\n          version: \"0.19.10\"\n"
)

func job(steps ...string) string {
	return "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n" + strings.Join(steps, "")
}

func TestThinRuleScenarios(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // one substring per expected finding, in order; none = clean
	}{
		{"set-up, dagger-for-github call and a sticky comment are thin", job(checkout,
			"      - uses: dagger/dagger-for-github@27b130bf0f79a7f6fbbbe0fbca6760dc9bb40a77 # v8.4.1\n        with:\n          call: plan --env prod\n",
			"      - uses: marocchino/sticky-pull-request-comment@773744901bac0e8cbb5a0dc842800d45e9b2b405 # v2.9.4\n"), nil},
		{"multi-line dagger call with a conditional flag and a gh output step are thin", job(checkout, install,
			"      - run: |\n          # deploy\n          dagger call deploy \\\n            --env prod ${HOOK:+--slack-webhook env:HOOK} 2>&1\n",
			"      - run: gh pr comment 1 --body-file c.md >> \"$GITHUB_STEP_SUMMARY\"\n"), nil},
		{"local action and docker digest are pinned enough", job(
			"      - uses: ./.github/actions/setup\n",
			"      - uses: docker://alpine@sha256:"+strings.Repeat("a", 64)+"\n",
			"      - run: dagger call check\n"), []string{"action ./.github/actions/setup is neither", "action docker://alpine is neither"}},
		{"docker tag is not pinned", job("      - uses: docker://alpine:3.20\n      - run: dagger call check\n"),
			[]string{"docker://alpine:3.20 is not pinned by digest", "neither set-up"}},
		{"SHA without a version comment", job("      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd\n      - run: dagger call check\n"),
			[]string{"has no `# vX.Y.Z` comment"}},
		{"npm chained before dagger in one step", job(checkout, "      - run: npm ci && dagger call check\n"),
			[]string{"the Dagger call step also runs `npm`"}},
		{"two dagger commands in one step", job(checkout, "      - run: |\n          dagger call lint\n          dagger call test\n"),
			[]string{"2 Dagger calls in one step"}},
		{"job without a Dagger call", job(checkout), []string{`job "j": no Dagger call`}},
		{"second output step", job(checkout, "      - run: dagger call check\n", "      - run: echo done\n", "      - run: cat x >> \"$GITHUB_STEP_SUMMARY\"\n"),
			[]string{`step 4 "cat x >> \"$GITHUB_STEP_SUMMARY\"": second output step (the first is step 3 "echo done")`}},
		{"terraform, aws and curl are work outside Dagger", job(checkout, "      - run: dagger call check\n",
			"      - run: |\n          terraform init\n          aws s3 ls | curl -d @- https://example.invalid\n"),
			[]string{"runs `terraform`, `aws`, `curl` outside Dagger"}},
		{"setup-node is neither set-up nor a publisher", job(checkout,
			"      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0\n", "      - run: dagger call check\n"),
			[]string{"action actions/setup-node is neither set-up nor a result publisher"}},
		{"reusable workflow call must be pinned", "on: push\njobs:\n  j:\n    uses: org/repo/.github/workflows/x.yml@main\n",
			[]string{"org/repo/.github/workflows/x.yml@main is not pinned"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := thin("w.yml", []byte(tc.yaml))
			if len(got) != len(tc.want) {
				t.Fatalf("want %d findings, got %d:\n%s", len(tc.want), len(got), join(got))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i].String(), w) || !strings.HasPrefix(got[i].String(), "w.yml:") {
					t.Errorf("finding %d should contain %q:\n%s", i, w, got[i])
				}
			}
		})
	}
}

func TestCommandsSplitsAScriptIntoCommandNames(t *testing.T) {
	for script, want := range map[string][]string{
		"dagger call check": {"dagger"},
		"FOO=1 dagger call \\\n  deploy ${X:+--a env:X} # note":        {"dagger"},
		"npm ci && dagger call check; echo \"a;b\" | tee f":            {"npm", "dagger", "echo", "tee"},
		"if [ -f c.md ]; then\n  gh pr comment --body-file c.md\nfi\n": {"[", "gh"},
		"echo $(date) 2>&1 >> \"$GITHUB_STEP_SUMMARY\" & wait":         {"echo", "wait"},
		"# only a comment\n\n": nil,
	} {
		if got := commands(script); !reflect.DeepEqual(got, want) {
			t.Errorf("commands(%q) = %q, want %q", script, got, want)
		}
	}
}
