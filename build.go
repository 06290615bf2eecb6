package main

import (
	"context"
	"fmt"

	"github.com/pixelsandpetals/delivery/internal/dagger"
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

// Assets returns the app's static files, published to S3 behind CloudFront: content-hashed assets are cached
// for a year, HTML is revalidated on every request.
func (m *Delivery) Assets(
	ctx context.Context,
	// Directory of static files in the source.
	// +default="public"
	dir string,
) (*dagger.Directory, error) {
	d := m.Source.Directory(dir)
	entries, err := d.Entries(ctx)
	if err != nil || len(entries) == 0 {
		return nil, fmt.Errorf("assets: no static files in %s/ of the source (pass --dir)", dir)
	}
	return d, nil
}
