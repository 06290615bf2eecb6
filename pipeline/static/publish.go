// Package static publishes a built site to S3 behind CloudFront, changing as little as possible and in an order
// that never serves a half-published release: content-hashed assets first, then HTML (the switch), then deletes
// of stale objects, then a CloudFront invalidation of only the paths whose cached copies went stale.
//
// Deciding is pure (ReadFiles, NewPlan, Headers); doing is Publisher's steps, which a release can also run one
// by one, e.g. a smoke test between UploadAssets and SwitchHTML.
package static

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// PublishOptions say what to publish where.
type PublishOptions struct {
	// Bucket is the S3 bucket the distribution serves.
	Bucket string
	// Prefix is the key prefix the site lives under ("" for the bucket root).
	Prefix string
	// Dir is the local directory holding the built site; FS, when set, is used instead.
	Dir string
	FS  fs.FS
	// DistributionID is the CloudFront distribution to invalidate; "" publishes without invalidating.
	DistributionID string
	// OriginPath is the distribution's origin path when it serves a bucket folder at its root.
	OriginPath string
	// Headers decide Content-Type and Cache-Control; the zero value is DefaultHeaders().
	Headers Headers
	// MaxDelete refuses a publish that would delete more objects (0: 256; negative: no limit).
	MaxDelete int
	// MaxInvalidationPaths above which everything is invalidated (0: 15).
	MaxInvalidationPaths int
	// Parallel is the number of concurrent uploads and HeadObject calls (0: 8).
	Parallel int
	// PartSize is the multipart part size of files larger than it (0: 8 MiB, the AWS CLI's; at least 5 MiB).
	PartSize int64
	// VerifyHeaders asks S3 for the headers of every unchanged object instead of trusting the manifest (see
	// ManifestName): one HeadObject per file.
	VerifyHeaders bool
	// Additive uploads and never deletes (see PlanOptions.Additive): DeleteStale then deletes nothing.
	Additive bool
	// DryRun prepares and prints the plan, and changes nothing.
	DryRun bool
	// InvalidationTimeout bounds the wait for the invalidation (0: 10 minutes); PollInterval is the time between
	// checks (0: 20 s).
	InvalidationTimeout, PollInterval time.Duration
	// Progress receives one line per step and per file; nil discards them.
	Progress io.Writer
}

func (o PublishOptions) withDefaults() PublishOptions {
	o.Headers = o.Headers.orDefault()
	if o.Parallel <= 0 {
		o.Parallel = 8
	}
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	if o.InvalidationTimeout <= 0 {
		o.InvalidationTimeout = 10 * time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 20 * time.Second
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return o
}

// Publisher holds a prepared plan and runs its steps in order: UploadAssets, SwitchHTML, DeleteStale,
// Invalidate. Each step refuses to run before the one it depends on has succeeded.
type Publisher struct {
	s3          S3API
	cf          CloudFrontAPI
	o           PublishOptions
	prefix      string
	fsys        fs.FS
	files       []File
	remote      map[string]Object
	manifestRaw []byte
	plan        *Plan
	started     time.Time
	requests    requestCounter

	mu       sync.Mutex // guards what follows, written by parallel uploads
	logMu    sync.Mutex
	uploaded map[string]bool
	result   PublishResult
	done     map[string]bool // finished steps
}

// Publish prepares and runs every step. An error says which step failed and what is live.
func Publish(ctx context.Context, s3c S3API, cf CloudFrontAPI, o PublishOptions) (PublishResult, error) {
	p, err := Prepare(ctx, s3c, cf, o)
	if err != nil {
		return PublishResult{}, err
	}
	if p.o.DryRun {
		p.logf("%s", strings.TrimSuffix(p.plan.String(), "\n"))
		return p.Result(), nil
	}
	for _, step := range []func(context.Context) error{p.UploadAssets, p.SwitchHTML, p.DeleteStale, p.Invalidate} {
		if err := step(ctx); err != nil {
			return p.Result(), err
		}
	}
	return p.Result(), nil
}

// Prepare reads the local files and the bucket and makes the plan. It changes nothing; every bad input (missing
// directory or bucket, unknown distribution, unreachable endpoint, too many deletes) fails here with one line.
func Prepare(ctx context.Context, s3c S3API, cf CloudFrontAPI, o PublishOptions) (*Publisher, error) {
	o = o.withDefaults()
	p := &Publisher{s3: s3c, cf: cf, o: o, prefix: normalizePrefix(o.Prefix), started: time.Now(),
		uploaded: map[string]bool{}, done: map[string]bool{}}
	switch {
	case o.Bucket == "":
		return nil, errors.New("static publish: no bucket given")
	case o.PartSize < MinPartSize:
		return nil, fmt.Errorf("static publish: part size %d is below S3's minimum of %d bytes", o.PartSize, MinPartSize)
	case o.DistributionID != "" && cf == nil:
		return nil, errors.New("static publish: a distribution id needs a CloudFront client")
	}
	if err := p.readLocal(); err != nil {
		return nil, err
	}
	remote, err := p.listObjects(ctx)
	if err != nil {
		return nil, unchanged(err)
	}
	if err := p.checkDistribution(ctx); err != nil {
		return nil, unchanged(err)
	}
	m, raw, err := p.readManifest(ctx)
	if err != nil {
		return nil, unchanged(err)
	}
	p.manifestRaw = raw
	remote = dropKey(remote, p.manifestKey())
	if !o.VerifyHeaders {
		applyManifest(remote, m)
	}
	if err := p.headObjects(ctx, remote, NeedsHeaders(p.files, remote)); err != nil {
		return nil, unchanged(err)
	}
	p.remote = make(map[string]Object, len(remote))
	for _, r := range remote {
		p.remote[r.Key] = r
	}
	p.plan, err = NewPlan(p.files, remote, PlanOptions{Bucket: o.Bucket, Prefix: p.prefix, MaxDelete: o.MaxDelete,
		MaxInvalidationPaths: o.MaxInvalidationPaths, OriginPath: o.OriginPath, Additive: o.Additive})
	if err != nil {
		return nil, err
	}
	p.result.Plan, p.result.Unchanged = p.plan, p.plan.Unchanged
	p.result.Timings.Prepare = time.Since(p.started)
	p.logf("plan: %d assets and %d HTML to upload, %d unchanged, %d to delete, %d paths to invalidate",
		len(p.plan.Assets), len(p.plan.HTML), p.plan.Unchanged, len(p.plan.Deletes), len(p.plan.Invalidate))
	return p, nil
}

// readLocal reads the source; an empty one is refused, since publishing it would delete the whole site.
func (p *Publisher) readLocal() error {
	p.fsys = p.o.FS
	src := "the given file system"
	if p.fsys == nil {
		src = fmt.Sprintf("%q", p.o.Dir)
		info, err := os.Stat(p.o.Dir)
		switch {
		case p.o.Dir == "":
			return errors.New("static publish: no source directory given")
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("static source directory %s does not exist: build the site first; nothing was changed", src)
		case err != nil:
			return fmt.Errorf("static source directory %s: %w", src, err)
		case !info.IsDir():
			return fmt.Errorf("static source %s is not a directory", src)
		}
		p.fsys = os.DirFS(p.o.Dir)
	}
	files, err := ReadFiles(p.fsys, p.prefix, p.o.PartSize, p.o.Headers)
	if err != nil {
		return fmt.Errorf("static source %s: %w", src, err)
	}
	if len(files) == 0 {
		return fmt.Errorf("static source %s has no files: publishing it would delete the whole site; nothing was changed", src)
	}
	for _, f := range files {
		if f.Key == p.manifestKey() {
			return fmt.Errorf("static source %s contains %s, the name this publisher keeps its manifest under", src, ManifestName)
		}
	}
	p.files = files
	return nil
}

// unchanged says so on a failure before the first write, unless the error already does.
func unchanged(err error) error {
	if strings.Contains(err.Error(), "nothing was changed") {
		return err
	}
	return fmt.Errorf("%w; nothing was changed", err)
}

func dropKey(objs []Object, key string) []Object {
	out := objs[:0]
	for _, o := range objs {
		if o.Key != key {
			out = append(out, o)
		}
	}
	return out
}

// Plan is the prepared plan.
func (p *Publisher) Plan() *Plan { return p.plan }

// Keys are the object keys of every local file, sorted: what a release records that it needs.
func (p *Publisher) Keys() []string {
	keys := make([]string, len(p.files))
	for i, f := range p.files {
		keys[i] = f.Key
	}
	sort.Strings(keys)
	return keys
}

// Result is what the steps run so far did.
func (p *Publisher) Result() PublishResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.result
	r.Requests = p.requests.snapshot()
	r.Timings.Total = time.Since(p.started)
	return r
}

func (p *Publisher) logf(format string, args ...any) {
	p.logMu.Lock()
	defer p.logMu.Unlock()
	_, _ = fmt.Fprintf(p.o.Progress, format+"\n", args...) // progress is best-effort: never fails a publish
}
