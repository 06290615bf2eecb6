package app

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestConfig_CheckCommandsAreRead(t *testing.T) {
	dir := write(t, t.TempDir(), map[string]string{
		"go.mod":        "module example.com/x\n\ngo 1.26\n",
		"delivery.json": `{"check": {"test": ["go", "test", "-short", "./..."]}}`,
	})
	a, err := Detect(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Config.Check["test"]; !slices.Equal(got, []string{"go", "test", "-short", "./..."}) {
		t.Fatalf("check.test = %q", got)
	}
}

// A mistake in delivery.json is one line naming the file and the mistake, never a silently ignored setting.
func TestConfig_MistakesAreOneClearLine(t *testing.T) {
	for name, body := range map[string]string{
		"unknown field": `{"chek": {}}`,
		"empty command": `{"check": {"test": []}}`,
		"not JSON":      `check: {test: go test}`,
		"two values":    `{} {}`,
		"wrong type":    `{"check": {"test": "go test ./..."}}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := write(t, t.TempDir(), map[string]string{"go.mod": "module example.com/x\n\ngo 1.26\n", "delivery.json": body})
			_, err := Detect(context.Background(), dir)
			if err == nil {
				t.Fatal("accepted")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "delivery.json: ") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line starting with the file name", msg)
			}
		})
	}
}

func TestDetect_DaggerGoModule(t *testing.T) {
	a, err := Detect(context.Background(), Dir("../.."))
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != Go || !a.Go.DaggerModule {
		t.Fatalf("this repository: kind %s, Dagger module %v; want a Go Dagger module", a.Kind, a.Go.DaggerModule)
	}
	for body, want := range map[string]bool{
		`{"name": "m", "sdk": {"source": "go"}}`:         true,
		`{"name": "m", "sdk": "go"}`:                     true,
		`{"name": "m", "sdk": {"source": "typescript"}}`: false,
		`{"name": "m"}`: false,
	} {
		dir := write(t, t.TempDir(), map[string]string{"go.mod": "module example.com/x\n\ngo 1.26\n", "dagger.json": body})
		a, err := Detect(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		if a.Go.DaggerModule != want {
			t.Errorf("%s: Dagger Go module %v, want %v", body, a.Go.DaggerModule, want)
		}
	}
}
