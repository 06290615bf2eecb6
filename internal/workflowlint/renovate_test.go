package workflowlint

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every tool image the module pins in Go is kept fresh by .github/renovate.json's regex managers: a new
// `const XImage = "…"` (or another way of writing it) that no manager matches fails here, not silently ages.
func TestRenovateMatchesEveryPinnedImage(t *testing.T) {
	raw, err := os.ReadFile("../../.github/renovate.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		CustomManagers []struct {
			ManagerFilePatterns []string `json:"managerFilePatterns"`
			MatchStrings        []string `json:"matchStrings"`
		} `json:"customManagers"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("renovate.json: %v", err)
	}
	pinned := regexp.MustCompile(`(?m)^(?:const )?\s*(\w+Image)\s*=\s*"([^"]+)"`)
	files, _ := filepath.Glob("../../*.go")
	files = append(files, "../../pipeline/toolchain/toolchain.go")
	found := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(f, "../../")
		var matched []string
		for _, m := range cfg.CustomManagers {
			if !matchesAny(t, m.ManagerFilePatterns, rel) {
				continue
			}
			for _, s := range m.MatchStrings {
				matched = append(matched, regexp.MustCompile(s).FindAllString(string(src), -1)...)
			}
		}
		for _, p := range pinned.FindAllStringSubmatch(string(src), -1) {
			found++
			ok := false
			for _, hit := range matched {
				ok = ok || strings.Contains(hit, `"`+p[2]+`"`)
			}
			if !ok {
				t.Errorf("%s: %s = %q is not matched by any manager in .github/renovate.json", rel, p[1], p[2])
			}
		}
		if rel == "pipeline/toolchain/toolchain.go" && len(matched) == 0 {
			t.Errorf("%s: the golangci-lint version is not matched by .github/renovate.json", rel)
		}
	}
	if found < 5 {
		t.Fatalf("found %d pinned images in the module's Go files; the pattern no longer finds them", found)
	}
}

// matchesAny applies Renovate's "/regex/" file patterns.
func matchesAny(t *testing.T, patterns []string, path string) bool {
	t.Helper()
	for _, p := range patterns {
		if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") {
			t.Fatalf("managerFilePatterns %q: use Renovate's /regex/ form", p)
		}
		if regexp.MustCompile(p[1 : len(p)-1]).MatchString(path) {
			return true
		}
	}
	return false
}
