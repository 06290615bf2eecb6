package main

import (
	"context"
	"fmt"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/app"
	"github.com/pixelsandpetals/delivery/pipeline/static"
)

// Build builds the app's container image from its Dockerfile. Multi-stage builds and their layers are cached by
// the engine, so a rebuild after a code change redoes only the stages that change.
func (m *Delivery) Build(
	ctx context.Context,
	// Path of the Dockerfile in the source.
	// +default="Dockerfile"
	dockerfile string,
	// Build stage to stop at (Dockerfile target); the last stage by default.
	// +optional
	target string,
) (*dagger.Container, error) {
	if _, err := m.Source.File(dockerfile).Name(ctx); err != nil {
		return nil, fmt.Errorf("build: no %s in the source: an app is deployed as a container image built from its Dockerfile", dockerfile)
	}
	// Node ignores the system CA store, where the engine installs extra CAs (corporate TLS-intercepting proxies):
	// a Dockerfile that declares `ARG NODE_EXTRA_CA_CERTS` gets it pointed at that store. Others ignore the arg.
	c := m.Source.DockerBuild(dagger.DirectoryDockerBuildOpts{Dockerfile: dockerfile, Target: target,
		BuildArgs: []dagger.BuildArg{{Name: "NODE_EXTRA_CA_CERTS", Value: "/etc/ssl/certs/ca-certificates.crt"}}})
	if _, err := c.Sync(ctx); err != nil {
		return nil, fmt.Errorf("build: %s", firstLine(err))
	}
	return c, nil
}

// Assets returns the app's built static assets, read out of its image: the directory its Dockerfile declares
// (LABEL org.pixelsandpetals.delivery.assets=<dir>), or delivery.json's "assets", or a known build layout (Vite
// dist/assets, Next.js .next/static, dist/public/assets, public/assets under the image's WORKDIR). These exact
// files are what deploy publishes under the CDN's static path, so S3 and the image can never disagree.
func (m *Delivery) Assets(
	ctx context.Context,
	// The assets directory in the image, overriding the label and delivery.json.
	// +optional
	dir string,
) (*dagger.Directory, error) {
	image, err := m.Build(ctx, "Dockerfile", "")
	if err != nil {
		return nil, err
	}
	layout, err := m.assetLayout(ctx, image, dir)
	if err != nil {
		return nil, err
	}
	if layout.None() {
		return nil, fmt.Errorf("assets: %s says the app has no static assets", layout.From)
	}
	return image.Directory(layout.Dir), nil
}

// assetLayout finds the image's assets directory: --assets, else delivery.json, else the image's label, else a
// known build layout.
func (m *Delivery) assetLayout(ctx context.Context, image *dagger.Container, override string) (static.Layout, error) {
	declared, by := override, "--assets"
	if declared == "" {
		a, err := app.Detect(ctx, &sourceDir{dir: m.Source})
		if err != nil {
			return static.Layout{}, err
		}
		declared, by = a.Config.Assets, app.ConfigFile+` "assets"`
	}
	if declared == "" {
		label, err := image.Label(ctx, static.AssetsLabel)
		if err != nil {
			return static.Layout{}, fmt.Errorf("assets: reading the image's labels: %s", firstLine(err))
		}
		declared, by = label, "the image's LABEL "+static.AssetsLabel
	}
	workdir, err := image.Workdir(ctx)
	if err != nil {
		return static.Layout{}, fmt.Errorf("assets: reading the image's WORKDIR: %s", firstLine(err))
	}
	return static.FindAssets(declared, by, workdir, func(dir string) bool {
		entries, err := image.Directory(dir).Entries(ctx)
		return err == nil && len(entries) > 0
	})
}
