package app

import (
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Dir is a Source on the host filesystem, for callers that run without Dagger.
type Dir string

// ReadFile implements Source.
func (d Dir) ReadFile(_ context.Context, name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), filepath.FromSlash(name)))
}

// Glob implements Source. Only a leading "**/" is special: it matches the base name at any depth.
func (d Dir) Glob(_ context.Context, pattern string) ([]string, error) {
	var out []string
	anyDepth := strings.HasPrefix(pattern, "**/")
	base := strings.TrimPrefix(pattern, "**/")
	err := filepath.WalkDir(string(d), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (e.Name() == "node_modules" || e.Name() == ".git") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(string(d), p)
		rel = filepath.ToSlash(rel)
		target, pat := rel, pattern
		if anyDepth {
			target, pat = path.Base(rel), base
		}
		if ok, _ := path.Match(pat, target); ok && !e.IsDir() {
			out = append(out, rel)
		}
		return nil
	})
	return out, err
}
