package main

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/pixelsandpetals/delivery/internal/dagger"
)

// sourceDir lets pipeline/app read a *dagger.Directory. Root entries are listed once, so probing for the many
// optional files an app may declare costs one engine round trip instead of one per file.
type sourceDir struct {
	dir     *dagger.Directory
	once    sync.Once
	entries map[string]bool
	err     error
}

func (s *sourceDir) ReadFile(ctx context.Context, name string) ([]byte, error) {
	if !strings.Contains(name, "/") {
		s.once.Do(func() {
			names, err := s.dir.Entries(ctx)
			s.err = err
			s.entries = map[string]bool{}
			for _, n := range names {
				s.entries[n] = true
			}
		})
		if s.err != nil {
			return nil, fmt.Errorf("listing the source directory: %w", s.err)
		}
		if !s.entries[name] {
			return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
		}
	}
	c, err := s.dir.File(name).Contents(ctx)
	if err != nil {
		return nil, err
	}
	return []byte(c), nil
}

func (s *sourceDir) Glob(ctx context.Context, pattern string) ([]string, error) {
	return s.dir.Glob(ctx, pattern)
}
