package ecr_test

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/ecr"
)

func TestPush_LayoutWithSeveralManifestsIsOneClearLine(t *testing.T) {
	dir := ociLayout(t, randomImage(t))
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(randomImage(t)); err != nil {
		t.Fatal(err)
	}
	_, err = push(t, ecr.PushOptions{Image: dir, Repository: "127.0.0.1:1/web", Tag: sha})
	if msg := oneLine(t, err); !strings.Contains(msg, "holds 2 manifests") {
		t.Fatal(msg)
	}
}

func TestPush_TarballEntryLeavingTheArchiveIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "evil.tar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	for _, name := range []string{"index.json", "../escaped"} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 2, Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	_, err = push(t, ecr.PushOptions{Image: path, Repository: "127.0.0.1:1/web", Tag: sha})
	if msg := oneLine(t, err); !strings.Contains(msg, "leaves the archive") {
		t.Fatal(msg)
	}
	if _, err := os.Stat(filepath.Join(os.TempDir(), "escaped")); err == nil {
		t.Fatal("an entry was written outside the extraction directory")
	}
}

func TestPush_GzipDockerTarball(t *testing.T) {
	host := testkit.StartRegistry(t)
	plain := dockerTarball(t, randomImage(t))
	gz := filepath.Join(t.TempDir(), "docker.tar.gz")
	gzipFile(t, plain, gz)
	a, err := push(t, ecr.PushOptions{Image: plain, Repository: host + "/web", Tag: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := push(t, ecr.PushOptions{Image: gz, Repository: host + "/web", Tag: "gz"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest != b.Digest || b.Format != "docker tarball" {
		t.Fatalf("plain %+v, gzip %+v", a, b)
	}
}

func TestECRHost(t *testing.T) {
	for host, want := range map[string][2]string{
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com":      {"123456789012", "eu-west-1"},
		"123456789012.dkr.ecr-fips.us-east-1.amazonaws.com": {"123456789012", "us-east-1"},
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn":  {"123456789012", "cn-north-1"},
		"127.0.0.1:5000": {"", ""},
		"public.ecr.aws": {"", ""},
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.io": {"", ""},
	} {
		account, region, ok := ecr.ECRHost(host)
		if account != want[0] || region != want[1] || ok != (want[0] != "") {
			t.Errorf("%s: got %q %q %v", host, account, region, ok)
		}
	}
}
