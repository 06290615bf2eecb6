package ecr

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// maxTarEntries bounds how many entries openImage reads from a tarball: an image has a handful of blobs, a file
// with more entries than this is not an image.
const maxTarEntries = 100000

// artifact is what Push sends: an image or an index (multi-platform), with its digest.
type artifact struct {
	taggable remote.Taggable
	digest   v1.Hash
	kind     string // "image" or "image index"
	format   string // "OCI layout", "OCI tarball", "docker tarball"
	cleanup  func()
}

// openImage reads an image from an OCI layout directory, an OCI tarball (what Dagger's Container.Export writes:
// oci-layout, index.json and blobs/ in a tar) or a docker tarball (docker save: manifest.json), gzip-compressed or
// not. Its errors are one line naming the path.
func openImage(path string) (*artifact, error) {
	if path == "" {
		return nil, errors.New("no image given: pass the path of an image tarball or OCI layout directory")
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("image %q not found", path)
	case err != nil:
		return nil, fmt.Errorf("image %q: %v", path, err)
	case st.IsDir():
		if _, err := os.Stat(filepath.Join(path, "index.json")); err != nil {
			return nil, fmt.Errorf("image %q is a directory but not an OCI layout (no index.json)", path)
		}
		return fromLayout(path, path, "OCI layout")
	}
	names, gz, err := tarNames(path)
	if err != nil {
		return nil, fmt.Errorf("image %q is not an image: not a tarball (%v)", path, err)
	}
	switch {
	case names["index.json"]:
		dir, err := os.MkdirTemp("", "delivery-image-")
		if err != nil {
			return nil, fmt.Errorf("image %q: %v", path, err)
		}
		if err := extract(path, gz, dir); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("image %q: extracting the OCI tarball: %v", path, err)
		}
		a, err := fromLayout(dir, path, "OCI tarball")
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		a.cleanup = func() { _ = os.RemoveAll(dir) }
		return a, nil
	case names["manifest.json"]:
		img, err := tarball.Image(opener(path, gz), nil)
		if err != nil {
			return nil, fmt.Errorf("image %q is not a readable docker tarball: %v", path, err)
		}
		d, err := img.Digest()
		if err != nil {
			return nil, fmt.Errorf("image %q is not a readable docker tarball: %v", path, err)
		}
		return &artifact{taggable: img, digest: d, kind: "image", format: "docker tarball", cleanup: func() {}}, nil
	}
	return nil, fmt.Errorf("image %q is not an image: a tarball with neither index.json (OCI) nor manifest.json (docker save)", path)
}

// fromLayout picks the one image or index an OCI layout's index.json points at; label is the path the user gave.
func fromLayout(dir, label, format string) (*artifact, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("image %q is not a readable OCI layout: %v", label, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("image %q is not a readable OCI layout: %v", label, err)
	}
	if len(im.Manifests) != 1 {
		return nil, fmt.Errorf("image %q: the OCI layout holds %d manifests, push needs exactly one (one image, or one multi-platform index)", label, len(im.Manifests))
	}
	desc := im.Manifests[0]
	a := &artifact{digest: desc.Digest, format: format, cleanup: func() {}}
	switch {
	case desc.MediaType.IsImage():
		a.kind = "image"
		a.taggable, err = idx.Image(desc.Digest)
	case desc.MediaType.IsIndex():
		a.kind = "image index"
		a.taggable, err = idx.ImageIndex(desc.Digest)
	default:
		return nil, fmt.Errorf("image %q: the OCI layout points at %q, which is neither an image nor an index", label, desc.MediaType)
	}
	if err != nil {
		return nil, fmt.Errorf("image %q is not a readable OCI layout: %v", label, err)
	}
	return a, nil
}

// opener opens the tarball, decompressing it when it is gzip.
func opener(path string, gz bool) tarball.Opener {
	return func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil || !gz {
			return f, err
		}
		zr, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			_ = f.Close()
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{zr, f}, nil
	}
}

// tarNames lists the top-level names a tarball holds (e.g. "index.json"), and whether it is gzip-compressed.
func tarNames(path string) (map[string]bool, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer func() { _ = f.Close() }() // read-only: a close error cannot lose data
	br := bufio.NewReader(f)
	magic, _ := br.Peek(2)
	gz := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	rc, err := opener(path, gz)()
	if err != nil {
		return nil, gz, err
	}
	defer func() { _ = rc.Close() }() // read-only
	names := map[string]bool{}
	tr := tar.NewReader(rc)
	for i := 0; i < maxTarEntries; i++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			if i == 0 {
				return nil, gz, errors.New("empty or not a tar archive")
			}
			return names, gz, nil
		}
		if err != nil {
			return nil, gz, err
		}
		names[filepath.ToSlash(filepath.Clean(h.Name))] = true
	}
	return nil, gz, fmt.Errorf("more than %d entries", maxTarEntries)
}

// extract unpacks the regular files and directories of a tarball into dir, refusing names that leave it.
func extract(path string, gz bool, dir string) error {
	rc, err := opener(path, gz)()
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }() // read-only
	tr := tar.NewReader(rc)
	for i := 0; i < maxTarEntries; i++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		rel := filepath.Clean(filepath.FromSlash(h.Name))
		if filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("entry %q leaves the archive", h.Name)
		}
		target := filepath.Join(dir, rel)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeFile(target, tr); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("more than %d entries", maxTarEntries)
}

func writeFile(target string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
