package static

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// Step names, for the order checks and error messages.
const (
	stepAssets = "UploadAssets"
	stepHTML   = "SwitchHTML"
	stepDelete = "DeleteStale"
)

// abortTimeout bounds cleanup calls made after the publish's own context ended.
const abortTimeout = 30 * time.Second

// UploadAssets uploads every changed file that is not HTML. Until SwitchHTML, visitors still get the previous
// HTML, which refers only to assets that are still there: a failure here, or a failed smoke test after it,
// leaves the previous release serving.
func (p *Publisher) UploadAssets(ctx context.Context) error {
	if err := p.after("", stepAssets); err != nil {
		return err
	}
	start := time.Now()
	err := p.uploadAll(ctx, p.plan.Assets, false)
	p.finish(stepAssets, start, &p.result.Timings.Assets, err)
	if err != nil {
		return fmt.Errorf("static publish, assets: %w; the previous HTML is still live, re-run to converge", err)
	}
	return nil
}

// SwitchHTML uploads the changed HTML: from here on the new release is served. It then records the manifest.
func (p *Publisher) SwitchHTML(ctx context.Context) error {
	if err := p.after(stepAssets, stepHTML); err != nil {
		return err
	}
	start := time.Now()
	err := p.uploadAll(ctx, p.plan.HTML, true)
	p.finish(stepHTML, start, &p.result.Timings.HTML, err)
	if err != nil {
		return fmt.Errorf("static publish, HTML switch: %w; some pages may be new and some old, re-run to converge", err)
	}
	if err := p.writeManifest(ctx); err != nil {
		p.warn(err.Error())
	}
	return nil
}

// DeleteStale deletes the remote objects no local file has, in batches of 1,000.
func (p *Publisher) DeleteStale(ctx context.Context) error {
	if err := p.after(stepHTML, stepDelete); err != nil {
		return err
	}
	start := time.Now()
	var err error
	keys := p.plan.Deletes
	for len(keys) > 0 && err == nil {
		batch := keys[:min(len(keys), 1000)]
		keys = keys[len(batch):]
		err = p.deleteBatch(ctx, batch)
	}
	p.finish(stepDelete, start, &p.result.Timings.Delete, err)
	if err != nil {
		return fmt.Errorf("static publish, deleting stale objects: %w; the new release is live, re-run to finish", err)
	}
	return nil
}

func (p *Publisher) deleteBatch(ctx context.Context, keys []string) error {
	ids := make([]types.ObjectIdentifier, len(keys))
	for i, k := range keys {
		ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
	}
	p.requests.add("DeleteObjects")
	out, err := p.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(p.o.Bucket),
		Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
	if err != nil {
		return fmt.Errorf("s3://%s: %s", p.o.Bucket, awsenv.Explain(err))
	}
	p.mu.Lock()
	p.result.Deleted += len(keys) - len(out.Errors)
	p.mu.Unlock()
	if len(out.Errors) > 0 {
		e := out.Errors[0]
		return fmt.Errorf("%d of %d objects not deleted, first %q: %s: %s", len(out.Errors), len(keys),
			aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
	}
	for _, k := range keys {
		p.logf("deleted %s", k)
	}
	return nil
}

// uploadAll uploads in parallel; the first failure cancels the rest.
func (p *Publisher) uploadAll(ctx context.Context, uploads []Upload, html bool) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(p.o.Parallel)
	for _, u := range uploads {
		g.Go(func() error {
			if err := p.put(ctx, u.File); err != nil {
				return fmt.Errorf("upload %s to s3://%s: %s", u.Key, p.o.Bucket, awsenv.Explain(err))
			}
			p.mu.Lock()
			p.uploaded[u.Key] = true
			p.result.BytesUploaded += u.Size
			if html {
				p.result.UploadedHTML++
			} else {
				p.result.UploadedAssets++
			}
			p.mu.Unlock()
			p.logf("uploaded %s (%s, %s)", u.Key, size(u.Size), u.Reason)
			return nil
		})
	}
	return g.Wait()
}

// after refuses to run step before the step it depends on has succeeded, and a step twice.
func (p *Publisher) after(prev, step string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.o.DryRun:
		return fmt.Errorf("static publish: %s in a dry run", step)
	case p.done[step]:
		return fmt.Errorf("static publish: %s already ran", step)
	case prev != "" && !p.done[prev]:
		return fmt.Errorf("static publish: %s needs %s to have succeeded first", step, prev)
	}
	return nil
}

func (p *Publisher) finish(step string, start time.Time, took *time.Duration, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	*took = time.Since(start)
	if err == nil {
		p.done[step] = true
	}
}

func (p *Publisher) warn(msg string) {
	p.mu.Lock()
	p.result.Warnings = append(p.result.Warnings, msg)
	p.mu.Unlock()
	p.logf("warning: %s", msg)
}
