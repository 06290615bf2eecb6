package ecr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// PushOptions say what to push where.
type PushOptions struct {
	// Image is the path of the image: an OCI tarball (Dagger's Container.Export), a docker tarball (docker save),
	// either optionally gzip-compressed, or an OCI layout directory.
	Image string
	// Repository is the repository URL, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web or
	// 127.0.0.1:5000/web. Loopback hosts and an http:// prefix use plain HTTP.
	Repository string
	// Tag is the primary tag, normally the git SHA. ExtraTags (e.g. "latest", "v1.2.3") point at the same digest.
	Tag       string
	ExtraTags []string
	// Auth logs in to the registry (Login's result for ECR). Nil: anonymous.
	Auth authn.Authenticator
	// ECR, when set, is asked whether the repository exists before anything is read from or sent to the registry.
	ECR DescribeRepositoriesAPI
	// Transport replaces the HTTP transport to the registry (custom CA, proxy, tests). Nil: a transport whose
	// connects time out after 10 s.
	Transport http.RoundTripper
	// Progress receives one line per step and upload progress. Nil: discarded.
	Progress io.Writer
}

// PushResult is what a push did.
type PushResult struct {
	// Reference pins the pushed image by digest: 127.0.0.1:5000/web@sha256:...
	Reference string
	// Digest is the manifest (or index) digest, sha256:...
	Digest string
	// Kind is "image" or "image index"; Format is what Image was: "OCI tarball", "OCI layout", "docker tarball".
	Kind, Format string
	// Pushed are the tags written by this push; Skipped those that already pointed at Digest.
	Pushed, Skipped []string
	// AlreadyThere is true when every tag already pointed at Digest: nothing was sent.
	AlreadyThere bool
	// BytesUploaded counts the blob bytes sent (layers the registry already had are not sent).
	BytesUploaded int64
}

// Push sends an image to a repository under its tags, unless the tags already point at this image. Each tag is
// looked up first (HEAD): a tag already on this digest is skipped, so re-running a release against a repository
// with immutable tags succeeds without sending anything; a tag on a different digest stops the push before any
// upload, naming both digests, since immutable tags forbid overwriting it and a mutable tag would silently move.
// Every error is one line; once the image has been read, the result carries its digest even on error.
func Push(ctx context.Context, o PushOptions) (PushResult, error) {
	w := o.Progress
	if w == nil {
		w = io.Discard
	}
	red := newRedactor(o.Auth)
	repo, err := parseRepository(o.Repository)
	if err != nil {
		return PushResult{}, err
	}
	tags, err := tagList(repo, o.Tag, o.ExtraTags)
	if err != nil {
		return PushResult{}, err
	}
	art, err := openImage(o.Image)
	if err != nil {
		return PushResult{}, err
	}
	defer art.cleanup()
	res := PushResult{
		Reference: repo.Digest(art.digest.String()).String(), Digest: art.digest.String(),
		Kind: art.kind, Format: art.format,
	}
	progressf(w, "%s %s: %s %s\n", art.format, o.Image, art.kind, art.digest)
	if o.ECR != nil {
		if _, err := CheckRepository(ctx, o.ECR, o.Repository); err != nil {
			return res, err
		}
	}

	base := o.Transport
	if base == nil {
		base = defaultTransport()
	}
	counter := &countingTransport{next: base}
	auth := o.Auth
	if auth == nil {
		auth = authn.Anonymous
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuth(auth), remote.WithTransport(counter),
		remote.WithUserAgent("pixelsandpetals-delivery")}

	var missing []name.Tag
	var conflicts []string
	for _, tag := range tags {
		have, err := tagDigest(tag, opts)
		switch {
		case err != nil:
			return res, red.errorf("%s", explainRegistry(err, repo, "looking up tag "+tag.TagStr()))
		case have == nil:
			missing = append(missing, tag)
		case *have == art.digest:
			res.Skipped = append(res.Skipped, tag.TagStr())
			progressf(w, "%s already points at %s: skipped\n", tag, art.digest)
		default:
			conflicts = append(conflicts, fmt.Sprintf("%s already points at %s, not at this %s %s", tag, have, art.kind, art.digest))
		}
	}
	if len(conflicts) > 0 {
		return res, fmt.Errorf("%s: tags are not overwritten (immutable tags forbid it); build the commit the tag names or use a new tag",
			strings.Join(conflicts, "; "))
	}
	if len(missing) == 0 {
		res.AlreadyThere = true
		progressf(w, "already there: %s, nothing to push\n", res.Reference)
		return res, nil
	}

	start := time.Now()
	first := missing[0]
	if len(res.Skipped) == 0 {
		// The registry has none of the tags: upload blobs and manifest under the first one. Blobs it already holds
		// (an earlier image sharing layers) are detected by the client and not sent.
		progressf(w, "pushing %s\n", first)
		updates := make(chan v1.Update, 64)
		done := make(chan struct{})
		go reportProgress(w, updates, done)
		err := remote.Push(first, art.taggable, append(opts, remote.WithProgress(updates))...)
		waitBounded(done, 5*time.Second)
		if err != nil {
			return res, red.errorf("%s", explainRegistry(err, repo, "push"))
		}
		res.Pushed = append(res.Pushed, first.TagStr())
		missing = missing[1:]
	}
	// The digest is in the repository now: further tags are a manifest PUT each, nothing else.
	for _, tag := range missing {
		if err := remote.Tag(tag, art.taggable, opts...); err != nil {
			return res, red.errorf("%s", explainRegistry(err, repo, "tagging "+tag.TagStr()))
		}
		res.Pushed = append(res.Pushed, tag.TagStr())
		progressf(w, "tagged %s\n", tag)
	}
	res.BytesUploaded = counter.bytes.Load()
	progressf(w, "pushed %s (tags %s), %s uploaded in %s\n", res.Reference, strings.Join(res.Pushed, ", "),
		humanBytes(res.BytesUploaded), time.Since(start).Round(time.Millisecond))
	return res, nil
}

// validTag is the OCI distribution spec's tag grammar.
var validTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// tagList validates and de-duplicates the primary and extra tags, primary first.
func tagList(repo name.Repository, primary string, extra []string) ([]name.Tag, error) {
	if strings.TrimSpace(primary) == "" {
		return nil, errors.New("no tag given: pass the primary tag (the git SHA)")
	}
	seen := map[string]bool{}
	var tags []name.Tag
	for _, t := range append([]string{primary}, extra...) {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		// repo.Tag keeps the repository's registry, plain-HTTP choice included, but does not validate.
		if !validTag.MatchString(t) {
			return nil, fmt.Errorf("tag %q is not a valid tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'", t)
		}
		tag := repo.Tag(t)
		tags = append(tags, tag)
	}
	return tags, nil
}

// tagDigest is the digest a tag points at, nil if the tag does not exist. It asks with HEAD and falls back to GET
// for registries that do not answer HEAD on manifests.
func tagDigest(tag name.Tag, opts []remote.Option) (*v1.Hash, error) {
	desc, err := remote.Head(tag, opts...)
	if err == nil {
		return &desc.Digest, nil
	}
	var terr *transport.Error
	if !errors.As(err, &terr) {
		return nil, err
	}
	switch terr.StatusCode {
	case http.StatusNotFound:
		return nil, nil
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, err
	}
	got, gerr := remote.Get(tag, opts...)
	if gerr == nil {
		return &got.Digest, nil
	}
	if errors.As(gerr, &terr) && terr.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	return nil, gerr
}

// waitBounded waits for done, at most d.
func waitBounded(done <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}
