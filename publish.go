package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/ecr"
)

// Publish builds the image, scans it (the gate runs before anything leaves the machine) and pushes it to the
// environment's ECR repository under --tag; a tag that already has this digest is not pushed again, so re-runs
// against immutable tags succeed. Prints the reference pinned by digest.
// +cache="never"
func (m *Delivery) Publish(
	ctx context.Context,
	// Environment whose ECR repository (Terraform output ecr_repository_url) receives the image.
	env string,
	// Image tag, normally the git commit.
	tag string,
	// Image scan gate: severities that stop the push.
	// +default="HIGH,CRITICAL"
	severity string,
	// Take the environment's lock although another run holds it with a live lease: only when that run is dead.
	// +optional
	breakLock bool,
) (string, error) {
	gate, err := policy(severity, false)
	if err != nil {
		return "", err
	}
	t, targets, err := m.openApplied(ctx, env)
	if err != nil {
		return "", err
	}
	unlock, err := m.lockEnvironment(ctx, t, "publish", "tag "+tag, breakLock)
	if err != nil {
		return "", err
	}
	defer unlock()
	image, err := m.Build(ctx, "Dockerfile", "")
	if err != nil {
		return "", err
	}
	tarball, err := m.gatedTarball(ctx, image, gate)
	if err != nil {
		return "", fmt.Errorf("publish %s: %w", env, err)
	}
	path, err := exportImage(ctx, tarball)
	if err != nil {
		return "", err
	}
	client := awsecr.NewFromConfig(t.cfg)
	auth, err := ecr.Login(ctx, client, "")
	if err != nil {
		return "", err
	}
	repo, err := m.pushRepository(ctx, targets.ECRRepositoryURL)
	if err != nil {
		return "", err
	}
	res, err := ecr.Push(ctx, ecr.PushOptions{Image: path, Repository: repo, Tag: tag, Auth: auth, ECR: client, Progress: os.Stderr})
	if err != nil {
		return "", err
	}
	note := "pushed"
	if res.AlreadyThere {
		note = "already there, nothing pushed"
	}
	return fmt.Sprintf("publish %s: %s:%s@%s (%s)\n", env, targets.ECRRepositoryURL, tag, res.Digest, note), nil
}

// exportImage writes an image tarball into the module's runtime, where the registry client reads it.
func exportImage(ctx context.Context, tarball *dagger.File) (string, error) {
	path := filepath.Join(os.TempDir(), "image.tar")
	if _, err := tarball.Export(ctx, path); err != nil {
		return "", fmt.Errorf("exporting the image: %s", firstLine(err))
	}
	return path, nil
}

// pushHost is where image bytes go instead of the repository's own host (--registry-endpoint), or "".
func (m *Delivery) pushHost(ctx context.Context) (string, error) {
	if m.RegistryEndpoint == nil {
		return "", nil
	}
	ep, err := m.RegistryEndpoint.Endpoint(ctx)
	if err != nil {
		return "", fmt.Errorf("registry endpoint: %s", firstLine(err))
	}
	return "http://" + ep, nil
}

// pushRepository is the repository URL with its host replaced by pushHost, when there is one.
func (m *Delivery) pushRepository(ctx context.Context, repository string) (string, error) {
	host, err := m.pushHost(ctx)
	if err != nil || host == "" {
		return repository, err
	}
	_, path, _ := strings.Cut(repository, "/")
	return host + "/" + path, nil
}
