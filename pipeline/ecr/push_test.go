package ecr_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/ecr"
)

const sha = "3f9a1c2"

// resolve is the digest a tag points at in the registry.
func resolve(t *testing.T, ref string) string {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(tag)
	if err != nil {
		t.Fatalf("HEAD %s: %v", ref, err)
	}
	return desc.Digest.String()
}

func push(t *testing.T, o ecr.PushOptions) (ecr.PushResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return ecr.Push(ctx, o)
}

func TestPush_OCITarballTagResolvesToDigest(t *testing.T) {
	host := testkit.StartRegistry(t)
	img := randomImage(t)
	var out bytes.Buffer
	res, err := push(t, ecr.PushOptions{Image: ociTarball(t, img, false), Repository: host + "/web", Tag: sha, Progress: &out})
	if err != nil {
		t.Fatal(err)
	}
	want := digestOf(t, img)
	if res.Digest != want || res.Reference != host+"/web@"+want {
		t.Fatalf("result %+v, want digest %s", res, want)
	}
	if got := resolve(t, host+"/web:"+sha); got != want {
		t.Fatalf("tag resolves to %s, want %s", got, want)
	}
	if res.AlreadyThere || !slices.Equal(res.Pushed, []string{sha}) || len(res.Skipped) != 0 {
		t.Fatalf("want the tag pushed, got %+v", res)
	}
	if res.BytesUploaded < 4096 || res.Format != "OCI tarball" || res.Kind != "image" {
		t.Fatalf("want >= 4096 bytes of an OCI tarball image, got %+v", res)
	}
	if !strings.Contains(out.String(), "pushed "+res.Reference) {
		t.Fatalf("progress does not name the pushed reference:\n%s", out.String())
	}
}

func TestPush_AgainSkipsAndUploadsNothing(t *testing.T) {
	host := testkit.StartRegistry(t)
	c := &counter{}
	o := ecr.PushOptions{Image: ociTarball(t, randomImage(t), false), Repository: host + "/web", Tag: sha, Transport: c}
	first, err := push(t, o)
	if err != nil {
		t.Fatal(err)
	}
	if c.blobWrites() == 0 {
		t.Fatalf("the first push uploaded no blobs: %v", c.paths)
	}
	c.reset()
	var out bytes.Buffer
	o.Progress = &out
	again, err := push(t, o)
	if err != nil {
		t.Fatal(err)
	}
	if n := c.writes(); n != 0 {
		t.Fatalf("second push sent %d writes: %v", n, c.paths)
	}
	if !again.AlreadyThere || len(again.Pushed) != 0 || !slices.Equal(again.Skipped, []string{sha}) ||
		again.BytesUploaded != 0 || again.Digest != first.Digest {
		t.Fatalf("want already there, nothing pushed, got %+v", again)
	}
	if !strings.Contains(out.String(), "already there") {
		t.Fatalf("progress does not say already there:\n%s", out.String())
	}
}

func TestPush_ExtraTagsPointAtTheSameDigest(t *testing.T) {
	host := testkit.StartRegistry(t)
	c := &counter{}
	o := ecr.PushOptions{Image: ociTarball(t, randomImage(t), false), Repository: host + "/web", Tag: sha,
		ExtraTags: []string{"latest", "v1.2.3", "latest"}, Transport: c}
	res, err := push(t, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Pushed, []string{sha, "latest", "v1.2.3"}) {
		t.Fatalf("pushed %v", res.Pushed)
	}
	for _, tag := range res.Pushed {
		if got := resolve(t, host+"/web:"+tag); got != res.Digest {
			t.Fatalf("%s resolves to %s, want %s", tag, got, res.Digest)
		}
	}
	// A later run adds one tag: only its manifest is written, no blob.
	c.reset()
	o.ExtraTags = append(o.ExtraTags, "stable")
	res, err = push(t, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Pushed, []string{"stable"}) || len(res.Skipped) != 3 || res.BytesUploaded != 0 {
		t.Fatalf("want only 'stable' pushed, got %+v", res)
	}
	if c.blobWrites() != 0 || c.writes() != 1 {
		t.Fatalf("want one manifest PUT, got %v", c.paths)
	}
}

func TestPush_SameTagDifferentImageIsOneClearLine(t *testing.T) {
	host := testkit.StartRegistry(t)
	first, err := push(t, ecr.PushOptions{Image: ociTarball(t, randomImage(t), false), Repository: host + "/web", Tag: sha})
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{}
	other := randomImage(t)
	_, err = push(t, ecr.PushOptions{Image: ociTarball(t, other, false), Repository: host + "/web", Tag: sha, Transport: c})
	msg := oneLine(t, err)
	if !strings.Contains(msg, first.Digest) || !strings.Contains(msg, digestOf(t, other)) || !strings.Contains(msg, "immutable") {
		t.Fatalf("want both digests and 'immutable' in: %s", msg)
	}
	if c.writes() != 0 {
		t.Fatalf("a conflicting push wrote to the registry: %v", c.paths)
	}
	if got := resolve(t, host+"/web:"+sha); got != first.Digest {
		t.Fatalf("tag moved to %s", got)
	}
}

func TestPush_FormatsAgreeOnTheDigest(t *testing.T) {
	host := testkit.StartRegistry(t)
	img := randomImage(t)
	want := digestOf(t, img)
	for i, path := range []string{ociLayout(t, img), ociTarball(t, img, true)} {
		res, err := push(t, ecr.PushOptions{Image: path, Repository: host + "/web", Tag: fmt.Sprintf("oci-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Digest != want {
			t.Fatalf("%s: digest %s, want %s", res.Format, res.Digest, want)
		}
	}
	// docker save's tarball stores layers uncompressed: its digest is its own, stable across runs.
	dock := dockerTarball(t, img)
	a, err := push(t, ecr.PushOptions{Image: dock, Repository: host + "/web", Tag: "docker"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := push(t, ecr.PushOptions{Image: dock, Repository: host + "/web", Tag: "docker"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Format != "docker tarball" || !b.AlreadyThere || resolve(t, host+"/web:docker") != a.Digest {
		t.Fatalf("docker tarball: first %+v, again %+v", a, b)
	}
}

func TestPush_MultiPlatformIndex(t *testing.T) {
	host := testkit.StartRegistry(t)
	idx, err := random.Index(1024, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	res, err := push(t, ecr.PushOptions{Image: ociTarball(t, idx, false), Repository: host + "/web", Tag: sha})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != "image index" || res.Digest != digestOf(t, idx) || resolve(t, host+"/web:"+sha) != res.Digest {
		t.Fatalf("index push: %+v", res)
	}
}

func TestPush_BadImageIsOneClearLine(t *testing.T) {
	host := testkit.StartRegistry(t)
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not an image\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		filepath.Join(dir, "missing.tar"): "not found",
		text:                              "is not an image",
		dir:                               "not an OCI layout",
	} {
		_, err := push(t, ecr.PushOptions{Image: path, Repository: host + "/web", Tag: sha})
		if msg := oneLine(t, err); !strings.Contains(msg, want) || !strings.Contains(msg, path) {
			t.Fatalf("%s: want %q and the path, got %s", path, want, msg)
		}
	}
}

func TestPush_BadArgumentsAreOneClearLine(t *testing.T) {
	img := ociTarball(t, randomImage(t), false)
	// Port 1 on loopback: a case that reached the network would say "unreachable" instead of naming the mistake.
	for _, c := range []struct {
		repo, tag string
		extra     []string
		want      string
	}{
		{"web", sha, nil, "names no registry host"},
		{"127.0.0.1:1/web:latest", sha, nil, "must not carry a tag"},
		{"127.0.0.1:1/Web", sha, nil, "not a valid repository URL"},
		{"127.0.0.1:1/web", "", nil, "no tag given"},
		{"127.0.0.1:1/web", "-bad", nil, `tag "-bad" is not a valid tag`},
		{"127.0.0.1:1/web", sha, []string{".dot"}, `tag ".dot" is not a valid tag`},
		{"127.0.0.1:1/web", sha, []string{"a/b"}, `tag "a/b" is not a valid tag`},
		{"127.0.0.1:1/web", sha, []string{strings.Repeat("x", 129)}, "is not a valid tag"},
	} {
		_, err := push(t, ecr.PushOptions{Image: img, Repository: c.repo, Tag: c.tag, ExtraTags: c.extra})
		if msg := oneLine(t, err); !strings.Contains(msg, c.want) {
			t.Errorf("%s %q %q: want %q, got %s", c.repo, c.tag, c.extra, c.want, msg)
		}
	}
}

func TestPush_UnreachableRegistryFailsFast(t *testing.T) {
	repo := fmt.Sprintf("127.0.0.1:%d/web", testkit.FreePort(t))
	start := time.Now()
	_, err := push(t, ecr.PushOptions{Image: ociTarball(t, randomImage(t), false), Repository: repo, Tag: sha})
	msg := oneLine(t, err)
	if !strings.Contains(msg, "unreachable") || !strings.Contains(msg, strings.TrimSuffix(repo, "/web")) {
		t.Fatalf("want 'unreachable' naming the registry, got %s", msg)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("took %s to notice an unreachable registry", d)
	}
}
