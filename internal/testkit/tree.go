package testkit

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// CopyTree copies the files under src into dst (created as needed), leaving out every entry skip names: a
// skipped directory is not entered. Tests copy fixtures and infra/terraform with it, so they never write into
// the repository.
func CopyTree(t testing.TB, src, dst string, skip func(d fs.DirEntry) bool) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != src && skip != nil && skip(d) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
