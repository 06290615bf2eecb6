package static

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// CloudFrontAPI is the part of *cloudfront.Client a publish uses.
type CloudFrontAPI interface {
	GetDistribution(context.Context, *cloudfront.GetDistributionInput, ...func(*cloudfront.Options)) (*cloudfront.GetDistributionOutput, error)
	CreateInvalidation(context.Context, *cloudfront.CreateInvalidationInput, ...func(*cloudfront.Options)) (*cloudfront.CreateInvalidationOutput, error)
	GetInvalidation(context.Context, *cloudfront.GetInvalidationInput, ...func(*cloudfront.Options)) (*cloudfront.GetInvalidationOutput, error)
}

const stepInvalidate = "Invalidate"

// checkDistribution makes an unknown distribution fail before anything is uploaded, not after the switch.
func (p *Publisher) checkDistribution(ctx context.Context) error {
	if p.o.DistributionID == "" {
		return nil
	}
	p.requests.add("GetDistribution")
	_, err := p.cf.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: aws.String(p.o.DistributionID)})
	return p.distributionError(err)
}

func (p *Publisher) distributionError(err error) error {
	switch {
	case err == nil:
		return nil
	case code(err) == "NoSuchDistribution":
		return fmt.Errorf("CloudFront distribution %q does not exist: check the distribution id (terraform output); "+
			"nothing was changed", p.o.DistributionID)
	}
	return fmt.Errorf("CloudFront distribution %q: %s", p.o.DistributionID, awsenv.Explain(err))
}

// Invalidate asks CloudFront to drop the plan's stale paths, then waits until it has. Nothing to invalidate, or no
// distribution: nothing is created. A timeout is an error, but by then the new files are live in the bucket.
func (p *Publisher) Invalidate(ctx context.Context) error {
	if err := p.after(stepDelete, stepInvalidate); err != nil {
		return err
	}
	start := time.Now()
	id, err := p.invalidate(ctx)
	p.mu.Lock()
	p.result.InvalidationID = id
	p.mu.Unlock()
	p.finish(stepInvalidate, start, &p.result.Timings.Invalidate, err)
	return err
}

func (p *Publisher) invalidate(ctx context.Context) (string, error) {
	paths := p.plan.Invalidate
	if p.o.DistributionID == "" || len(paths) == 0 {
		p.logf("no invalidation needed")
		return "", nil
	}
	p.requests.add("CreateInvalidation")
	out, err := p.cf.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
		DistributionId: aws.String(p.o.DistributionID),
		InvalidationBatch: &types.InvalidationBatch{
			CallerReference: aws.String(callerReference()),
			Paths:           &types.Paths{Quantity: aws.Int32(int32(len(paths))), Items: paths},
		},
	})
	if err != nil {
		return "", fmt.Errorf("static publish, invalidation: %w; the new files are live, edge caches may serve "+
			"old copies until they expire", p.distributionError(err))
	}
	id := aws.ToString(out.Invalidation.Id)
	p.mu.Lock()
	p.result.InvalidationPaths = paths
	p.mu.Unlock()
	p.logf("invalidation %s created for %s; waiting up to %s", id, strings.Join(paths, " "), p.o.InvalidationTimeout)
	return id, p.waitInvalidation(ctx, id)
}

// callerReference is unique per request: CloudFront treats a repeated reference as the same invalidation.
func callerReference() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("static-publish-%d-%s", time.Now().UnixNano(), hex.EncodeToString(b))
}

// waitInvalidation polls until the status is "Completed". The SDK's waiter is not used: it compares the status
// exactly, and emulators (moto) answer "COMPLETED", on which it would wait forever.
func (p *Publisher) waitInvalidation(parent context.Context, id string) error {
	ctx, cancel := context.WithTimeout(parent, p.o.InvalidationTimeout)
	defer cancel()
	status := "unknown"
	for {
		p.requests.add("GetInvalidation")
		out, err := p.cf.GetInvalidation(ctx, &cloudfront.GetInvalidationInput{
			DistributionId: aws.String(p.o.DistributionID), Id: aws.String(id)})
		switch {
		case err == nil && out.Invalidation != nil:
			status = aws.ToString(out.Invalidation.Status)
			if strings.EqualFold(status, "completed") {
				p.logf("invalidation %s completed", id)
				return nil
			}
		case err != nil && ctx.Err() == nil:
			return fmt.Errorf("static publish: checking CloudFront invalidation %s: %s; the new files are live",
				id, awsenv.Explain(err))
		}
		timer := time.NewTimer(p.o.PollInterval)
		select {
		case <-ctx.Done():
			timer.Stop()
			if parent.Err() != nil {
				return fmt.Errorf("static publish: waiting for CloudFront invalidation %s interrupted (%v): the new "+
					"files are already live in the bucket", id, parent.Err())
			}
			return fmt.Errorf("CloudFront invalidation %s on distribution %s still %q after %s: the new files are "+
				"already live in the bucket, only edge caches may serve old copies until it completes",
				id, p.o.DistributionID, status, p.o.InvalidationTimeout)
		case <-timer.C:
		}
	}
}
