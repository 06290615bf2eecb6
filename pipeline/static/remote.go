package static

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"

	"github.com/pixelsandpetals/delivery/pipeline/awsenv"
)

// S3API is the part of *s3.Client a publish uses; tests wrap it to interrupt uploads or record their order.
type S3API interface {
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObjects(context.Context, *s3.DeleteObjectsInput, ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
	CreateMultipartUpload(context.Context, *s3.CreateMultipartUploadInput, ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(context.Context, *s3.UploadPartInput, ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(context.Context, *s3.CompleteMultipartUploadInput, ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(context.Context, *s3.AbortMultipartUploadInput, ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

// Object is one remote object.
type Object struct {
	Key  string
	Size int64
	// ETag as S3 lists it.
	ETag string
	// ContentType and CacheControl are only known when HeadersKnown: a listing does not carry them; the publish
	// manifest or a HeadObject does.
	ContentType, CacheControl string
	HeadersKnown              bool
}

// listObjects lists every object under prefix, page by page.
func (p *Publisher) listObjects(ctx context.Context) ([]Object, error) {
	var objs []Object
	pages := s3.NewListObjectsV2Paginator(p.s3, &s3.ListObjectsV2Input{
		Bucket: aws.String(p.o.Bucket), Prefix: aws.String(p.prefix),
	})
	for pages.HasMorePages() {
		p.requests.add("ListObjectsV2")
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, p.bucketError("list", err)
		}
		for _, o := range page.Contents {
			objs = append(objs, Object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), ETag: aws.ToString(o.ETag)})
		}
	}
	return objs, nil
}

// bucketError is one line for a failed bucket call; a missing bucket says so plainly.
func (p *Publisher) bucketError(doing string, err error) error {
	if code(err) == "NoSuchBucket" {
		return fmt.Errorf("static bucket %q does not exist: create it (terraform apply) or fix the bucket name; "+
			"nothing was changed", p.o.Bucket)
	}
	return fmt.Errorf("static publish: %s s3://%s/%s: %s", doing, p.o.Bucket, p.prefix, awsenv.Explain(err))
}

// code is an AWS error's code, "" for other errors.
func code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// headObjects fills in the headers of the named objects, in parallel. An object gone since the listing keeps its
// headers unknown, and so is uploaded again.
func (p *Publisher) headObjects(ctx context.Context, remote []Object, keys []string) error {
	index := make(map[string]int, len(remote))
	for i, r := range remote {
		index[r.Key] = i
	}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(p.o.Parallel)
	for _, k := range keys {
		g.Go(func() error {
			p.requests.add("HeadObject")
			out, err := p.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(p.o.Bucket), Key: aws.String(k)})
			if c := code(err); c == "NotFound" || c == "NoSuchKey" {
				return nil
			}
			if err != nil {
				return p.bucketError("read headers of "+k+" in", err)
			}
			mu.Lock()
			defer mu.Unlock()
			r := &remote[index[k]]
			if normalizeETag(aws.ToString(out.ETag)) != normalizeETag(r.ETag) {
				return nil // replaced since the listing: upload it again
			}
			r.ContentType, r.CacheControl = aws.ToString(out.ContentType), aws.ToString(out.CacheControl)
			r.HeadersKnown = true
			return nil
		})
	}
	return g.Wait()
}
