// Package e2e drives the real `dagger` CLI against the lab's engine (hack/lab), the way a user runs the module.
// Nothing here is faked: the engine pulls stand-in images from the lab registry and runs npm, tsc, eslint,
// vitest, golangci-lint and go for real.
package e2e

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pixelsandpetals/delivery/internal/testkit"
)

// repoRoot is the directory holding dagger.json.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

// requireLab fails under CI (a missing engine is a broken CI, not a reason to skip) and skips elsewhere. With
// -short (unit tests only, as the repository's own check runs them) the end-to-end tests always skip.
func requireLab(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: needs the Dagger lab; -short runs unit tests only")
	}
	missing := ""
	if os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST") == "" {
		missing = "_EXPERIMENTAL_DAGGER_RUNNER_HOST is not set"
	} else if _, err := exec.LookPath("dagger"); err != nil {
		missing = "the dagger CLI is not on PATH"
	} else if os.Getenv("LAB_TRIVY_DB") == "" {
		missing = "LAB_TRIVY_DB (the lab's fixture vulnerability DB) is not set"
	}
	if missing == "" {
		return
	}
	msg := "the Dagger lab is not running (" + missing + "): run `hack/lab/lab.sh up` and `eval \"$(hack/lab/lab.sh env)\"`"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

type run struct {
	exitCode int
	output   string
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[a-zA-Z]`)

// dagger runs `dagger <args>` from the repository root, bounded in time, and returns its exit code and
// combined, de-colored output.
func dagger(t *testing.T, timeout time.Duration, args ...string) run {
	t.Helper()
	requireLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if len(args) > 0 && args[0] == "call" && !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--trivy-db=") }) {
		// This machine cannot download trivy's DB: every call uses the lab's fixture DB, as an air-gapped user
		// would, unless the test brings its own.
		args = append([]string{"call", "--trivy-db=" + os.Getenv("LAB_TRIVY_DB")}, args[1:]...)
	}
	cmd := exec.CommandContext(ctx, "dagger", append([]string{"--progress=plain"}, args...)...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "DO_NOT_TRACK=1", "DAGGER_NO_NAG=1")
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("dagger %s did not finish within %s; output:\n%s", strings.Join(args, " "), timeout, tail(out.String(), 60))
	}
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("running dagger: %v", err)
		}
		code = ee.ExitCode()
	}
	return run{exitCode: code, output: ansi.ReplaceAllString(out.String(), "")}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// fixture assembles a source tree in a temp dir: the base app (without node_modules) with overlays on top, and
// optional files removed.
func fixture(t *testing.T, base string, overlays []string, remove ...string) string {
	t.Helper()
	root := repoRoot(t)
	dst := t.TempDir()
	for _, src := range append([]string{base}, overlays...) {
		copyTree(t, filepath.Join(root, "testdata", src), dst)
	}
	for _, r := range remove {
		if err := os.RemoveAll(filepath.Join(dst, r)); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	testkit.CopyTree(t, src, dst, func(d fs.DirEntry) bool {
		return d.IsDir() && (d.Name() == "node_modules" || d.Name() == "dist")
	})
}
