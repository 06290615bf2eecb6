package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir string, files map[string]string) Dir {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Dir(dir)
}

func TestDetect_SampleNodeApp(t *testing.T) {
	a, err := Detect(context.Background(), Dir("../../testdata/node-app"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != Node || !a.Dockerfile {
		t.Fatalf("kind %s dockerfile %v", a.Kind, a.Dockerfile)
	}
	n := a.Node
	if n.NodeMajor != "20" || n.NodeVersionFrom != ".nvmrc" {
		t.Errorf("node %s from %s, want 20 from .nvmrc", n.NodeMajor, n.NodeVersionFrom)
	}
	if n.Lockfile != "package-lock.json" || n.ESLintConfig != "eslint.config.js" || !n.TSConfig || n.TSProjectReferences {
		t.Errorf("unexpected declarations: %+v", n)
	}
	for _, s := range []string{"lint", "typecheck", "test"} {
		if !n.HasScript(s) {
			t.Errorf("script %s not found", s)
		}
	}
}

func TestDetect_SampleGoApp(t *testing.T) {
	a, err := Detect(context.Background(), Dir("../../testdata/go-app"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != Go || a.Go.GoVersion != "1.26" || !a.Go.HasTests || a.Go.Module != "example.com/petals-api" {
		t.Errorf("unexpected: %+v", a.Go)
	}
}

func TestDetect_NodeVersionSources(t *testing.T) {
	cases := []struct {
		name       string
		files      map[string]string
		major, src string
	}{
		{"nvmrc wins over engines", map[string]string{".nvmrc": "v18.19.1\n", "package.json": `{"engines":{"node":">=20"}}`}, "18", ".nvmrc"},
		{"node-version file", map[string]string{".node-version": "22.3.0", "package.json": `{}`}, "22", ".node-version"},
		{"engines range", map[string]string{"package.json": `{"engines":{"node":"^20.11 || ^22"}}`}, "20", "engines.node"},
		{"lts alias", map[string]string{".nvmrc": "lts/*", "package.json": `{}`}, DefaultNodeMajor, ".nvmrc"},
		{"nothing declared", map[string]string{"package.json": `{"name":"x"}`}, DefaultNodeMajor, "default"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := Detect(context.Background(), write(t, t.TempDir(), c.files))
			if err != nil {
				t.Fatal(err)
			}
			if a.Node.NodeMajor != c.major || a.Node.NodeVersionFrom != c.src {
				t.Errorf("got %s from %s, want %s from %s", a.Node.NodeMajor, a.Node.NodeVersionFrom, c.major, c.src)
			}
		})
	}
}

func TestDetect_NpmPlaceholderTestScriptMeansNoTests(t *testing.T) {
	d := write(t, t.TempDir(), map[string]string{"package.json": `{"scripts":{"test":"echo \"Error: no test specified\" && exit 1"}}`})
	a, err := Detect(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if a.Node.HasScript("test") {
		t.Error("npm's placeholder test script should count as no tests")
	}
}

func TestDetect_ProjectReferencesWithComments(t *testing.T) {
	d := write(t, t.TempDir(), map[string]string{
		"package.json":  `{}`,
		"tsconfig.json": "{\n  // solution file\n  \"files\": [],\n  \"references\": [{ \"path\": \"./server\" },],\n}\n",
	})
	a, err := Detect(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Node.TSProjectReferences {
		t.Error("project references not detected in a tsconfig with comments and trailing commas")
	}
}

func TestDetect_OtherPackageManagersAndLockfiles(t *testing.T) {
	d := write(t, t.TempDir(), map[string]string{"package.json": `{}`, "pnpm-lock.yaml": "lockfileVersion: 9"})
	a, err := Detect(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if a.Node.Lockfile != "" || a.Node.OtherLockfile != "pnpm-lock.yaml" {
		t.Errorf("lockfile %q other %q", a.Node.Lockfile, a.Node.OtherLockfile)
	}
}

func TestDetect_GoToolchainDirectiveRaisesTheVersion(t *testing.T) {
	d := write(t, t.TempDir(), map[string]string{"go.mod": "module x\n\ngo 1.24.0\n\ntoolchain go1.26.8\n"})
	a, err := Detect(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if a.Go.GoVersion != "1.26" || a.Go.HasTests {
		t.Errorf("got %+v", a.Go)
	}
}

// A go.mod without a go directive is legal (e.g. github.com/google/uuid's): it is a Go app whose line the toolchain
// chooses, not an error.
func TestDetect_GoModWithoutGoDirectiveIsAGoApp(t *testing.T) {
	a, err := Detect(context.Background(), write(t, t.TempDir(), map[string]string{"go.mod": "module x\n", "x.go": "package x\n"}))
	if err != nil || a.Kind != Go || a.Go.GoVersion != "" {
		t.Fatalf("got %+v, %v", a, err)
	}
}

func TestDetect_BadInputIsOneClearError(t *testing.T) {
	cases := map[string]struct {
		files map[string]string
		want  string
	}{
		"empty dir":   {map[string]string{"README.md": "hi"}, "no package.json or go.mod"},
		"broken json": {map[string]string{"package.json": "{"}, "package.json is not valid JSON"},
		"bad nvmrc":   {map[string]string{"package.json": "{}", ".nvmrc": "hydrogen"}, ".nvmrc says"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Detect(context.Background(), write(t, t.TempDir(), c.files))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
	_, err := Detect(context.Background(), write(t, t.TempDir(), map[string]string{"x": ""}))
	if !errors.Is(err, ErrUnknownKind) {
		t.Errorf("want ErrUnknownKind, got %v", err)
	}
}
