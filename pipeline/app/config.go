package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ConfigFile is the optional file at the source root where a project overrides what the pipeline would infer.
// JSON, so it needs no parser the project does not already have.
const ConfigFile = "delivery.json"

// Config is what a project declares in delivery.json. Everything is optional; an absent file is an empty Config.
type Config struct {
	// Check replaces the command of a check stage ("lint", "typecheck", "test") with the project's own argv,
	// run in the source directory of the stage container. Typical: a Go repository whose integration tests need
	// services runs `["go", "test", "-short", "./..."]` in check and its full suite elsewhere.
	Check map[string][]string `json:"check,omitempty"`
	// Assets is the directory of the app's built static assets in its image (absolute, or relative to the
	// image's WORKDIR), published to the CDN's static path on deploy; "none" for an app without any. It wins over
	// the Dockerfile's LABEL org.pixelsandpetals.delivery.assets.
	Assets string `json:"assets,omitempty"`
}

// readConfig parses delivery.json strictly: an unknown field is a mistake the user wants to hear about, not a
// setting silently ignored. Stage names are checked by package toolchain, which defines the stages.
func readConfig(ctx context.Context, src Source) (Config, error) {
	var c Config
	data, err := src.ReadFile(ctx, ConfigFile)
	if isNotExist(err) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("reading %s: %w", ConfigFile, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%s: %v", ConfigFile, err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("%s: more than one JSON value", ConfigFile)
	}
	for stage, argv := range c.Check {
		if len(argv) == 0 || strings.TrimSpace(argv[0]) == "" {
			return c, fmt.Errorf("%s: check.%s must be a non-empty command, e.g. [\"go\", \"test\", \"./...\"]", ConfigFile, stage)
		}
	}
	return c, nil
}
