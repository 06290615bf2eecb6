package static

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// MinPartSize is S3's smallest multipart part (every part but the last).
const MinPartSize = 5 << 20

// DefaultPartSize is the part size of uploads and of PartsETag: the AWS CLI's default, so objects the CLI
// uploaded in parts compare without a re-upload.
const DefaultPartSize = 8 << 20

// md5Only leaves integrity to the Content-MD5 we send: S3 rejects bytes that do not match it (BadDigest), e.g. a
// file rewritten between hashing and upload. The SDK's own default checksum would read every file a second time.
func md5Only(o *s3.Options) {
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
}

func b64(sum [md5.Size]byte) *string { return aws.String(base64.StdEncoding.EncodeToString(sum[:])) }

// put uploads one file with its headers: in one request, or in parts when larger than the part size.
func (p *Publisher) put(ctx context.Context, f File) error {
	if f.multipart(p.o.PartSize) {
		return p.putParts(ctx, f)
	}
	body, closeBody, err := section(p.fsys, f.Name, 0, f.Size)
	if err != nil {
		return err
	}
	defer closeBody()
	p.requests.add("PutObject")
	_, err = p.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(p.o.Bucket), Key: aws.String(f.Key), Body: body, ContentLength: aws.Int64(f.Size),
		ContentType: aws.String(f.ContentType), CacheControl: aws.String(f.CacheControl), ContentMD5: b64(f.MD5),
	}, md5Only)
	return err
}

// putParts is a multipart upload with parts of the publish part size, so the object's ETag is the file's
// PartsETag. Parts go one after another: parallelism is across files. A failed upload is aborted, so no parts
// are left to be billed.
func (p *Publisher) putParts(ctx context.Context, f File) (err error) {
	p.requests.add("CreateMultipartUpload")
	created, err := p.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(p.o.Bucket), Key: aws.String(f.Key),
		ContentType: aws.String(f.ContentType), CacheControl: aws.String(f.CacheControl),
	})
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			p.requests.add("AbortMultipartUpload")
			// The publish's context may be what failed: abort on a fresh one, bounded.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
			defer cancel()
			_, _ = p.s3.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{
				Bucket: aws.String(p.o.Bucket), Key: aws.String(f.Key), UploadId: created.UploadId})
		}
	}()
	var parts []types.CompletedPart
	for n, off := int32(1), int64(0); off < f.Size; n, off = n+1, off+p.o.PartSize {
		size := min(p.o.PartSize, f.Size-off)
		body, closeBody, err := section(p.fsys, f.Name, off, size)
		if err != nil {
			return err
		}
		sum, err := md5Of(body)
		if err != nil {
			closeBody()
			return err
		}
		p.requests.add("UploadPart")
		out, err := p.s3.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String(p.o.Bucket), Key: aws.String(f.Key), UploadId: created.UploadId,
			PartNumber: aws.Int32(n), Body: body, ContentLength: aws.Int64(size), ContentMD5: b64(sum),
		}, md5Only)
		closeBody()
		if err != nil {
			return fmt.Errorf("part %d: %w", n, err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
	}
	p.requests.add("CompleteMultipartUpload")
	_, err = p.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(p.o.Bucket), Key: aws.String(f.Key), UploadId: created.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	return err
}

// md5Of hashes a part (each part is sent with its own Content-MD5) and rewinds it.
func md5Of(r io.ReadSeeker) ([md5.Size]byte, error) {
	var sum [md5.Size]byte
	h := md5.New()
	if _, err := io.Copy(h, r); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	_, err := r.Seek(0, io.SeekStart)
	return sum, err
}

// section opens n bytes at off of a file as a seekable body (the SDK rewinds bodies to retry). Files of an
// os.DirFS are read in place; other file systems' files are read into memory, one part at most.
func section(fsys fs.FS, name string, off, n int64) (io.ReadSeeker, func(), error) {
	fh, err := fsys.Open(name)
	if err != nil {
		return nil, nil, err
	}
	if ra, ok := fh.(io.ReaderAt); ok {
		return io.NewSectionReader(ra, off, n), func() { _ = fh.Close() }, nil // read-only
	}
	defer func() { _ = fh.Close() }() // read-only: the part is in memory by the time it closes
	if _, err := io.CopyN(io.Discard, fh, off); err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", name, err)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(fh, buf); err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return bytes.NewReader(buf), func() {}, nil
}
